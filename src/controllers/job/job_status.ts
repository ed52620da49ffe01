// Counting finished pods into a Job's status (trackJobStatusAndRemoveFinalizers in job_controller.go): a
// finished pod's uid goes into status.uncountedTerminatedPods first, then its tracking finalizer is removed,
// then it moves into succeeded/failed. Only after that may the Job get its terminal condition.

import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { calculateSucceededIndexes, formatIndexes, getCompletionIndex } from './indexed_job_utils.js';
import { ensureJobConditionStatus, findCondition, hasJobTrackingFinalizer, isIndexedJob, isPodFailed, newCondition } from './job_utils.js';

/** What one sync has decided, handed to the status step. */
export interface SyncState {
  job: Job;
  pods: Pod[];
  /** Pods whose finalizer removal the informer has not shown yet. */
  rmFinalizers: ReadonlySet<string>;
  /** The condition the Job is heading for (SuccessCriteriaMet/FailureTarget/Failed), if any. */
  finishedCondition: JobCondition | undefined;
  terminating: number;
  needsFlush: boolean;
}

export interface StatusWriter {
  now(): number;
  updateStatus(job: Job): Promise<Job>;
  /** Remove finalizers; the pods for which it worked. */
  removeFinalizers(pods: Pod[]): Promise<{ removed: Pod[]; error?: unknown }>;
  recordFinished(job: Job, cond: JobCondition): void;
}

/** cleanUncountedPodsWithoutFinalizers: uids whose finalizer is gone become counts. */
function cleanUncounted(job: Job, withFinalizer: Set<string>): boolean {
  const status = (job.status ??= {});
  const u = (status.uncountedTerminatedPods ??= {});
  let updated = false;
  const keep = (uids: string[] | undefined) => (uids ?? []).filter((uid) => withFinalizer.has(uid));
  const s = keep(u.succeeded);
  if (s.length !== (u.succeeded?.length ?? 0)) {
    status.succeeded = (status.succeeded ?? 0) + (u.succeeded!.length - s.length);
    if (s.length) u.succeeded = s;
    else delete u.succeeded;
    updated = true;
  }
  const f = keep(u.failed);
  if (f.length !== (u.failed?.length ?? 0)) {
    status.failed = (status.failed ?? 0) + (u.failed!.length - f.length);
    if (f.length) u.failed = f;
    else delete u.failed;
    updated = true;
  }
  return updated;
}

/** Complete / Failed that replaces an interim SuccessCriteriaMet / FailureTarget once all pods are counted. */
function finalCondition(cond: JobCondition, now: number): JobCondition {
  if (cond.type === 'SuccessCriteriaMet') return newCondition('Complete', 'True', cond.reason ?? '', cond.message ?? '', now);
  if (cond.type === 'FailureTarget') return newCondition('Failed', 'True', cond.reason ?? '', cond.message ?? '', now);
  return cond;
}

export async function trackJobStatusAndRemoveFinalizers(st: SyncState, w: StatusWriter): Promise<Job> {
  let job = st.job;
  const status = (job.status ??= {});
  const uncounted = (status.uncountedTerminatedPods ??= {});
  const indexed = isIndexedJob(job);
  const completions = job.spec?.completions ?? 0;
  let needsFlush = st.needsFlush;
  const withFinalizer = new Set(st.pods.filter((p) => hasJobTrackingFinalizer(p) && !st.rmFinalizers.has(p.metadata!.uid!)).map((p) => p.metadata!.uid!));
  if (cleanUncounted(job, withFinalizer)) needsFlush = true;
  const uncountedSucceeded = new Set(uncounted.succeeded ?? []);
  const uncountedFailed = new Set(uncounted.failed ?? []);
  const toRemove: Pod[] = [];
  const pods = indexed ? [...st.pods].sort((a, b) => getCompletionIndex(a) - getCompletionIndex(b)) : st.pods;
  const finished = st.finishedCondition;
  for (const pod of pods) {
    const uid = pod.metadata!.uid!;
    if (!withFinalizer.has(uid)) continue;
    const phase = pod.status?.phase;
    const failed = isPodFailed(pod, job);
    // canRemoveFinalizer: the pod is done, or the Job is, so nothing may run any more.
    if (!(phase === 'Succeeded' || phase === 'Failed' || failed || finished || job.metadata?.deletionTimestamp)) continue;
    toRemove.push(pod);
    const ix = getCompletionIndex(pod);
    if (phase === 'Succeeded' && !uncountedFailed.has(uid)) {
      // An Indexed Job counts completion indexes, which already guard against counting twice.
      if (!indexed && !uncountedSucceeded.has(uid)) {
        (uncounted.succeeded ??= []).push(uid);
        needsFlush = true;
      }
    } else if (failed || finished) {
      // Active pods are deleted once the Job is finishing, so they count as failures too.
      if (!uncountedFailed.has(uid) && (!indexed || (ix >= 0 && ix < completions))) {
        (uncounted.failed ??= []).push(uid);
        needsFlush = true;
      }
    }
  }
  if (indexed) {
    const all = calculateSucceededIndexes(job, st.pods).all;
    const s = formatIndexes(all);
    if (s !== (status.completedIndexes ?? '')) needsFlush = true;
    status.completedIndexes = s;
    status.succeeded = all.size;
  }
  let target = finished;
  if (target && (target.type === 'FailureTarget' || target.type === 'SuccessCriteriaMet')) {
    // The interim condition is written before finalizers go, so the outcome survives a restart.
    if (!findCondition(job, target.type)) {
      status.conditions = [...(status.conditions ?? []), target];
      needsFlush = true;
    }
    target = finalCondition(target, w.now());
  }
  // flushUncountedAndRemoveFinalizers
  if (needsFlush) {
    job = await w.updateStatus(job);
    needsFlush = false;
  }
  const { removed, error } = toRemove.length ? await w.removeFinalizers(toRemove) : { removed: [] };
  for (const p of removed) withFinalizer.delete(p.metadata!.uid!);
  if (cleanUncounted(job, withFinalizer)) needsFlush = true;
  if (error) {
    if (needsFlush) await w.updateStatus(job);
    throw error;
  }
  const finishedNow = enactJobFinished(job, target, st.terminating, w.now());
  if (finishedNow) needsFlush = true;
  if (needsFlush) {
    job = await w.updateStatus(job);
    if (finishedNow && target) w.recordFinished(job, target);
  }
  return job;
}

/** enactJobFinished: the terminal condition, once no pod is uncounted and none is still terminating. */
function enactJobFinished(job: Job, cond: JobCondition | undefined, terminating: number, now: number): boolean {
  if (!cond) return false;
  const u = job.status?.uncountedTerminatedPods;
  if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
  if (terminating > 0) return false;
  const status = job.status!;
  [status.conditions] = ensureJobConditionStatus(status.conditions ?? [], cond.type as 'Complete' | 'Failed', 'True', cond.reason ?? '', cond.message ?? '', now);
  if (cond.type === 'Complete') status.completionTime = cond.lastTransitionTime;
  return true;
}
