// Adoption and release of pods by a controller (pkg/controller/controller_ref_manager.go ClaimPods/ClaimObject):
// a pod owned by the controller that stops matching is released, a matching orphan is adopted.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Client } from '../../client/client.js';
import { isStatusError } from '../../machinery/errors.js';
import { matches, type Selector } from '../../machinery/labels.js';
import { getControllerOf } from './stateful_set_utils.js';

interface Owner {
  metadata?: { name?: string; namespace?: string; uid?: string; deletionTimestamp?: string };
}

export class PodControllerRefManager {
  private canAdoptOnce: Promise<void> | undefined;

  /** `canAdopt` rechecks the controller against a live read; it runs at most once, before the first adoption. */
  constructor(
    private client: Client,
    private controller: Owner,
    private selector: Selector,
    private controllerRef: OwnerReference,
    private canAdopt: () => Promise<void>,
  ) {}

  /** The pods this controller manages after adopting and releasing; failures are collected, not thrown. */
  async claimPods(pods: Pod[], filter: (pod: Pod) => boolean): Promise<{ claimed: Pod[]; errors: unknown[] }> {
    const claimed: Pod[] = [];
    const errors: unknown[] = [];
    const match = (pod: Pod) => matches(this.selector, pod.metadata?.labels) && filter(pod);
    for (const pod of pods) {
      try {
        if (await this.claimObject(pod, match)) claimed.push(pod);
      } catch (e) {
        errors.push(e);
      }
    }
    return { claimed, errors };
  }

  private async claimObject(pod: Pod, match: (pod: Pod) => boolean): Promise<boolean> {
    const ref = getControllerOf(pod);
    const deleting = !!this.controller.metadata?.deletionTimestamp;
    if (ref) {
      if (ref.uid !== this.controller.metadata?.uid) return false;
      if (match(pod)) return true;
      if (deleting) return false;
      await this.releasePod(pod);
      return false;
    }
    if (deleting || !match(pod) || pod.metadata?.deletionTimestamp) return false;
    if (this.controller.metadata?.namespace && this.controller.metadata.namespace !== pod.metadata?.namespace) return false;
    try {
      await this.adoptPod(pod);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return false;
      throw e;
    }
    return true;
  }

  private async adoptPod(pod: Pod): Promise<void> {
    this.canAdoptOnce ??= this.canAdopt();
    await this.canAdoptOnce;
    const patch = { metadata: { ownerReferences: [this.controllerRef], uid: pod.metadata?.uid } };
    await this.client.pods.patch(pod.metadata!.namespace!, pod.metadata!.name!, 'strategic', patch);
  }

  private async releasePod(pod: Pod): Promise<void> {
    const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: this.controller.metadata?.uid }], uid: pod.metadata?.uid } };
    try {
      await this.client.pods.patch(pod.metadata!.namespace!, pod.metadata!.name!, 'strategic', patch);
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Invalid')) throw e;
    }
  }
}
