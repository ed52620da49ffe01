// PVC protection (pkg/controller/volume/pvcprotection): a claim keeps the `kubernetes.io/pvc-protection`
// finalizer while a scheduled pod uses it, so deleting it leaves it Terminating until the last such pod
// is gone. Admission adds the finalizer on create; this controller adds it to claims that lack it.

import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import { cacheKey, type Informer } from '../../client/informer.js';
import type { KubeObject, Stored } from '../../client/objects.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';
import { PVC_PROTECTION_FINALIZER } from '../../api/storage/annotations.js';
import { indexPodsByClaim, isPodTerminated, podClaimKeys, podUsesClaim, POD_CLAIM_INDEX } from './podclaims.js';

function hasFinalizer(obj: Stored<KubeObject>, f: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(f);
}

/** protectionutil.NeedToAddFinalizer and IsDeletionCandidate. */
export function needsProtectionWork(obj: Stored<KubeObject>, finalizer: string): boolean {
  const deleting = !!obj.metadata.deletionTimestamp;
  return deleting === hasFinalizer(obj, finalizer);
}

export class PVCProtectionController implements Controller {
  private queue: WorkQueue;
  private client: Client;
  private claims: Informer<PersistentVolumeClaim>;
  private pods: Informer<Pod>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.queue = new WorkQueue(ctx.clock, { name: 'pvcprotection' });
    this.claims = ctx.informers.get(REFS.persistentvolumeclaims);
    this.pods = ctx.informers.get(REFS.pods);
    indexPodsByClaim(this.pods);
    this.claims.addHandler({
      add: (pvc) => this.enqueueClaim(pvc),
      update: (_old, pvc) => this.enqueueClaim(pvc),
    });
    this.pods.addHandler({
      add: (pod) => this.enqueuePodClaims(pod, false),
      update: (old, pod) => {
        this.enqueuePodClaims(pod, false);
        // An update may hide the deletion of one pod and the creation of another with the same name.
        if (old.metadata.uid !== pod.metadata.uid) this.enqueuePodClaims(old, true);
      },
      delete: (pod) => this.enqueuePodClaims(pod, true),
    });
  }

  start(): void {
    runWorkers(this.queue, 1, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private enqueueClaim(pvc: Stored<PersistentVolumeClaim>): void {
    if (needsProtectionWork(pvc, PVC_PROTECTION_FINALIZER)) this.queue.add(cacheKey(pvc));
  }

  /** Only a pod that is gone, finished or unscheduled can let a claim go. */
  private enqueuePodClaims(pod: Stored<Pod>, deleted: boolean): void {
    if (!deleted && !isPodTerminated(pod) && pod.spec?.nodeName) return;
    for (const key of podClaimKeys(pod)) this.queue.add(key);
  }

  private async sync(key: string): Promise<void> {
    const pvc = this.claims.get(key);
    if (!pvc) return;
    const deleting = !!pvc.metadata.deletionTimestamp;
    const has = hasFinalizer(pvc, PVC_PROTECTION_FINALIZER);
    if (!deleting && !has) {
      const next = structuredClone(pvc);
      next.metadata.finalizers = [...(next.metadata.finalizers ?? []), PVC_PROTECTION_FINALIZER];
      await this.update(next);
    } else if (deleting && has && !(await this.isBeingUsed(pvc))) {
      const next = structuredClone(pvc);
      next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== PVC_PROTECTION_FINALIZER);
      await this.update(next);
    }
  }

  private async update(pvc: Stored<PersistentVolumeClaim>): Promise<void> {
    try {
      await this.client.resource(REFS.persistentvolumeclaims).update(pvc.metadata.namespace ?? '', pvc);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  /** The informer first; a live list confirms before the finalizer goes, in case the cache lags. */
  private async isBeingUsed(pvc: Stored<PersistentVolumeClaim>): Promise<boolean> {
    const key = cacheKey(pvc);
    if (this.pods.byIndex(POD_CLAIM_INDEX, key).some((pod) => podUsesClaim(pod, pvc))) return true;
    const live = await this.client.resource(REFS.pods).list(pvc.metadata.namespace);
    return live.items.some((pod) => podUsesClaim(pod, pvc));
  }
}
