// The pod failure back-off of a Job (pkg/controller/job/backoff_utils.go): after n failures since the last
// success, new pods wait 10 s * 2^(n-1), at most 6 minutes, counted from the last failure.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { getFinishedTime } from './job_utils.js';

export const DEFAULT_JOB_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_JOB_POD_FAILURE_BACKOFF_MS = 360_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

const byFinishedTime = (pods: Pod[]): number[] => pods.map(getFinishedTime).sort((a, b) => a - b);

/** newBackoffRecord: the record after counting the pods that finished since the last sync. */
export function newBackoffRecord(prev: BackoffRecord | undefined, newSucceeded: Pod[], newFailed: Pod[]): BackoffRecord {
  const record: BackoffRecord = prev ? { ...prev } : { failuresAfterLastSuccess: 0 };
  const failed = byFinishedTime(newFailed);
  if (newSucceeded.length === 0) {
    if (failed.length === 0) return record;
    return { failuresAfterLastSuccess: record.failuresAfterLastSuccess + failed.length, lastFailureTime: failed[failed.length - 1] };
  }
  const succeeded = byFinishedTime(newSucceeded);
  const lastSuccess = succeeded[succeeded.length - 1];
  const after = failed.filter((t) => t > lastSuccess);
  return after.length ? { failuresAfterLastSuccess: after.length, lastFailureTime: after[after.length - 1] } : { failuresAfterLastSuccess: 0 };
}

/** getRemainingTime: how long new pods must still wait (0: create now). */
export function getRemainingTime(record: BackoffRecord, now: number, base = DEFAULT_JOB_POD_FAILURE_BACKOFF_MS, max = MAX_JOB_POD_FAILURE_BACKOFF_MS): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  let backoff = base;
  for (let i = 1; i < record.failuresAfterLastSuccess; i++) {
    backoff *= 2;
    if (backoff >= max) {
      backoff = max;
      break;
    }
  }
  const elapsed = now - record.lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}
