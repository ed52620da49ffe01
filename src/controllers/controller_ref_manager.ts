// Adoption and release by a controller (pkg/controller/controller_ref_manager.go): an object the controller
// owns that stops matching is released, a matching orphan is adopted, and nothing changes while the
// controller is being deleted.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { REFS, type Client } from '../client/client.js';
import { isStatusError } from '../machinery/errors.js';
import { matches, type Selector } from '../machinery/labels.js';
import { getControllerOf, newControllerRef, type GroupVersionKind } from './controller_utils.js';

export interface ControllerObject {
  metadata?: { name?: string; namespace?: string; uid?: string; deletionTimestamp?: string };
}

interface Claimable {
  metadata?: { ownerReferences?: OwnerReference[]; deletionTimestamp?: string };
}

/** The write a PodControllerRefManager needs (PodControlInterface.PatchPod upstream): a strategic merge patch. */
export interface PodPatcher {
  patchPod(namespace: string, name: string, patch: unknown): Promise<unknown>;
}

/** The PodPatcher of a controller that writes through `client`. */
export const clientPodPatcher = (client: Client): PodPatcher => ({
  patchPod: (namespace, name, patch) => client.resource(REFS.pods).patch(namespace, name, 'strategic', patch),
});

class BaseControllerRefManager {
  private canAdoptOnce: Promise<void> | undefined;

  /** `canAdopt` is the potentially expensive check (a live read) made at most once, before the first adoption. */
  constructor(
    protected controller: ControllerObject,
    protected selector: Selector,
    private canAdoptFunc: () => Promise<void>,
  ) {}

  protected canAdopt(): Promise<void> {
    return (this.canAdoptOnce ??= this.canAdoptFunc());
  }

  /**
   * Whether the controller owns the object after reconciling: orphans that match are adopted, owned
   * objects that do not are released. NotFound from either write means the object is gone: not claimed.
   */
  protected async claimObject<T extends Claimable>(obj: T, match: (obj: T) => boolean, adopt: (obj: T) => Promise<void>, release: (obj: T) => Promise<void>): Promise<boolean> {
    const ref = getControllerOf(obj);
    const deleting = !!this.controller.metadata?.deletionTimestamp;
    if (ref) {
      if (ref.uid !== this.controller.metadata?.uid) return false;
      // Claiming what it already owns takes no action, so a controller being deleted may do it.
      if (match(obj)) return true;
      if (deleting) return false;
      await ignoreNotFound(release(obj));
      return false;
    }
    if (deleting || !match(obj) || obj.metadata?.deletionTimestamp) return false;
    try {
      await adopt(obj);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return false;
      throw e;
    }
    return true;
  }
}

async function ignoreNotFound(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isStatusError(e, 'NotFound')) throw e;
  }
}

export class PodControllerRefManager extends BaseControllerRefManager {
  constructor(
    private podControl: PodPatcher,
    controller: ControllerObject,
    selector: Selector,
    private controllerKind: GroupVersionKind,
    canAdopt: () => Promise<void>,
  ) {
    super(controller, selector, canAdopt);
  }

  /** The pods this controller manages after adopting and releasing, and the failures (collected, not thrown). */
  async claimPods(pods: Pod[], ...filters: ((pod: Pod) => boolean)[]): Promise<{ claimed: Pod[]; errors: unknown[] }> {
    const claimed: Pod[] = [];
    const errors: unknown[] = [];
    // The selector first, so filters only run on pods that may match.
    const match = (pod: Pod) => matches(this.selector, pod.metadata?.labels) && filters.every((f) => f(pod));
    for (const pod of pods) {
      try {
        if (await this.claimObject(pod, match, (p) => this.adoptPod(p), (p) => this.releasePod(p))) claimed.push(pod);
      } catch (e) {
        errors.push(e);
      }
    }
    return { claimed, errors };
  }

  /** Add the controllerRef; the pod's uid in the patch is a precondition against a recreated namesake. */
  async adoptPod(pod: Pod): Promise<void> {
    const { namespace, name, uid } = pod.metadata!;
    try {
      await this.canAdopt();
    } catch (e) {
      throw new Error(`can't adopt Pod ${namespace}/${name} (${uid}): ${e instanceof Error ? e.message : String(e)}`);
    }
    const patch = { metadata: { ownerReferences: [newControllerRef(this.controller, this.controllerKind)], uid } };
    await this.podControl.patchPod(namespace!, name!, patch);
  }

  /** Remove the controllerRef. Invalid means the pod has no such ref or was recreated: nothing to release. */
  async releasePod(pod: Pod): Promise<void> {
    const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: this.controller.metadata?.uid }], uid: pod.metadata?.uid } };
    try {
      await this.podControl.patchPod(pod.metadata!.namespace!, pod.metadata!.name!, patch);
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Invalid')) throw e;
    }
  }
}

/**
 * RecheckDeletionTimestamp: a canAdopt check that reads the controller afresh and refuses adoption once it
 * is being deleted.
 */
export function recheckDeletionTimestamp(getObject: () => Promise<ControllerObject>): () => Promise<void> {
  return async () => {
    let obj: ControllerObject;
    try {
      obj = await getObject();
    } catch (e) {
      throw new Error(`can't recheck DeletionTimestamp: ${e instanceof Error ? e.message : String(e)}`);
    }
    const meta = obj.metadata ?? {};
    if (meta.deletionTimestamp) throw new Error(`${meta.namespace}/${meta.name} has just been deleted at ${meta.deletionTimestamp}`);
  };
}
