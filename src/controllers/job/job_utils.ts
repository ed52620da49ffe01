// Job conditions and pod classification (pkg/controller/job/utils.go and job_controller.go helpers).

import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../machinery/clock.js';
import type { GroupVersionKind } from '../controller_utils.js';

export const JOB_KIND: GroupVersionKind = { apiVersion: 'batch/v1', kind: 'Job' };
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

type ConditionType = 'Complete' | 'Failed' | 'Suspended' | 'FailureTarget' | 'SuccessCriteriaMet';

export const findCondition = (job: Job, type: ConditionType): JobCondition | undefined => job.status?.conditions?.find((c) => c.type === type);

const isTrue = (job: Job, type: ConditionType): boolean => findCondition(job, type)?.status === 'True';

/** util.IsJobFinished: Complete or Failed is True. */
export const isJobFinished = (job: Job): boolean => isTrue(job, 'Complete') || isTrue(job, 'Failed');

export const isJobSucceeded = (job: Job): boolean => isTrue(job, 'Complete');

export const jobSuspended = (job: Job): boolean => job.spec?.suspend === true;

export const isIndexedJob = (job: Job): boolean => job.spec?.completionMode === 'Indexed';

export function newCondition(type: ConditionType, status: 'True' | 'False', reason: string, message: string, now: number): JobCondition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastProbeTime: t, lastTransitionTime: t };
}

/**
 * ensureJobConditionStatus: set the condition, keeping lastTransitionTime when the status does not change.
 * A False condition that does not exist yet is not added. Returns the new list and whether it changed.
 */
export function ensureJobConditionStatus(list: JobCondition[], type: ConditionType, status: 'True' | 'False', reason: string, message: string, now: number): [JobCondition[], boolean] {
  const i = list.findIndex((c) => c.type === type);
  if (i < 0) return status === 'True' ? [[...list, newCondition(type, status, reason, message, now)], true] : [list, false];
  const c = list[i];
  if (c.status === status && c.reason === reason && c.message === message) return [list, false];
  const updated: JobCondition = c.status === status ? { ...c, reason, message, lastProbeTime: rfc3339(now) } : newCondition(type, status, reason, message, now);
  return [list.map((x, j) => (j === i ? updated : x)), true];
}

export const isPodTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** controller.FilterActivePods: neither terminal nor being deleted. */
export const isPodActive = (pod: Pod): boolean => !isPodTerminal(pod) && !pod.metadata?.deletionTimestamp;

/** controller.IsPodTerminating. */
export const isPodTerminating = (pod: Pod): boolean => !isPodTerminal(pod) && !!pod.metadata?.deletionTimestamp;

export const hasJobTrackingFinalizer = (pod: Pod): boolean => pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;

/** onlyReplaceFailedPods: podReplacementPolicy Failed (the default when a podFailurePolicy is set). */
export const onlyReplaceFailedPods = (job: Job): boolean => job.spec?.podReplacementPolicy === 'Failed' || (!job.spec?.podReplacementPolicy && !!job.spec?.podFailurePolicy);

/** isPodFailed: Failed, or deleted before it succeeded (orphans that never reach a phase count as failures). */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/**
 * getFinishedTime: the latest container termination, else the Ready condition's last change, else the pod's
 * deletion or creation time.
 */
export function getFinishedTime(pod: Pod): number {
  let latest = -Infinity;
  for (const cs of pod.status?.containerStatuses ?? []) {
    const t = Date.parse(cs.state?.terminated?.finishedAt ?? '');
    if (Number.isFinite(t) && t > latest) latest = t;
  }
  if (latest > -Infinity) return latest;
  const ready = Date.parse(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
  if (Number.isFinite(ready)) return ready;
  const del = Date.parse(pod.metadata?.deletionTimestamp ?? '');
  if (Number.isFinite(del)) return del;
  return Date.parse(pod.metadata?.creationTimestamp ?? '');
}

export const countReadyPods = (pods: Pod[]): number => pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
