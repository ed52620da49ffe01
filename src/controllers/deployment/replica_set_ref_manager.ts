// ReplicaSetControllerRefManager (pkg/controller/controller_ref_manager.go): a deployment adopts matching
// orphan replica sets and releases owned ones that stop matching; nothing changes while it is being deleted.

import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { isStatusError } from '../../machinery/errors.js';
import { matches, type Selector } from '../../machinery/labels.js';
import { getControllerOf, newControllerRef, type GroupVersionKind } from '../controller_utils.js';

export const DEPLOYMENT_KIND: GroupVersionKind = { apiVersion: 'apps/v1', kind: 'Deployment' };

/** The write adoption and release need: a strategic merge patch of a replica set. */
export type ReplicaSetPatcher = (namespace: string, name: string, patch: unknown) => Promise<unknown>;

export class ReplicaSetControllerRefManager {
  private canAdoptOnce: Promise<void> | undefined;

  constructor(
    private patchReplicaSet: ReplicaSetPatcher,
    private controller: Deployment,
    private selector: Selector,
    private canAdoptFunc: () => Promise<void>,
  ) {}

  /** The replica sets the deployment owns after adopting and releasing; the first failure is thrown after all were tried. */
  async claimReplicaSets(sets: ReplicaSet[]): Promise<ReplicaSet[]> {
    const claimed: ReplicaSet[] = [];
    const errors: unknown[] = [];
    for (const rs of sets) {
      try {
        if (await this.claim(rs)) claimed.push(rs);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length) throw errors[0];
    return claimed;
  }

  private async claim(rs: ReplicaSet): Promise<boolean> {
    const ref = getControllerOf(rs);
    const deleting = !!this.controller.metadata?.deletionTimestamp;
    const match = matches(this.selector, rs.metadata?.labels);
    if (ref) {
      if (ref.uid !== this.controller.metadata?.uid) return false;
      if (match) return true;
      if (deleting) return false;
      await this.release(rs);
      return false;
    }
    if (deleting || !match || rs.metadata?.deletionTimestamp) return false;
    try {
      await this.adopt(rs);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return false;
      throw e;
    }
    return true;
  }

  /** Add the controllerRef; the uid in the patch guards against a recreated namesake. */
  private async adopt(rs: ReplicaSet): Promise<void> {
    const { namespace, name, uid } = rs.metadata!;
    try {
      await (this.canAdoptOnce ??= this.canAdoptFunc());
    } catch (e) {
      throw new Error(`can't adopt ReplicaSet ${namespace}/${name} (${uid}): ${e instanceof Error ? e.message : String(e)}`);
    }
    await this.patchReplicaSet(namespace!, name!, { metadata: { ownerReferences: [newControllerRef(this.controller, DEPLOYMENT_KIND)], uid } });
  }

  private async release(rs: ReplicaSet): Promise<void> {
    const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: this.controller.metadata?.uid }], uid: rs.metadata?.uid } };
    try {
      await this.patchReplicaSet(rs.metadata!.namespace!, rs.metadata!.name!, patch);
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Invalid')) throw e;
    }
  }
}
