// ControllerExpectations for the Job controller: the writes of a sync that the pod informer has not shown yet.
// Until they show, a sync must not create or count again from a cache that lacks them.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { hasJobTrackingFinalizer } from './job_utils.js';

interface Pending {
  creates: Set<string>;
  deletes: Set<string>;
  rmFinalizers: Set<string>;
}

export class JobExpectations {
  private byJob = new Map<string, Pending>();

  private pending(key: string): Pending {
    let p = this.byJob.get(key);
    if (!p) this.byJob.set(key, (p = { creates: new Set(), deletes: new Set(), rmFinalizers: new Set() }));
    return p;
  }

  expectCreate(key: string, name: string): void {
    this.pending(key).creates.add(name);
  }

  expectDelete(key: string, name: string): void {
    this.pending(key).deletes.add(name);
  }

  expectFinalizerRemoved(key: string, uid: string): void {
    this.pending(key).rmFinalizers.add(uid);
  }

  /** The uids whose finalizer removal the informer has not shown yet (expectedRmFinalizers). */
  finalizersBeingRemoved(key: string): ReadonlySet<string> {
    return this.byJob.get(key)?.rmFinalizers ?? new Set();
  }

  /** Creations and deletions have all been observed. */
  satisfied(key: string): boolean {
    const p = this.byJob.get(key);
    return !p || (p.creates.size === 0 && p.deletes.size === 0);
  }

  observe(key: string, pod: Pod, gone: boolean): void {
    const p = this.byJob.get(key);
    if (!p) return;
    const name = pod.metadata?.name ?? '';
    p.creates.delete(name);
    if (gone || pod.metadata?.deletionTimestamp) p.deletes.delete(name);
    if (gone || !hasJobTrackingFinalizer(pod)) p.rmFinalizers.delete(pod.metadata?.uid ?? '');
  }

  forget(key: string): void {
    this.byJob.delete(key);
  }
}
