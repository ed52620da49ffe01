// Completion indexes of Indexed Jobs (pkg/controller/job/indexed_job_utils.go): the index annotation, the
// "1,3-5" interval form of status.completedIndexes, and which indexes still need a pod.

import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { JOB_COMPLETION_INDEX } from './job_utils.js';

/** getCompletionIndex: the annotation's value, or -1 (unknownCompletionIndex) when missing or invalid. */
export function getCompletionIndex(pod: Pod): number {
  const v = pod.metadata?.annotations?.[JOB_COMPLETION_INDEX] ?? pod.metadata?.labels?.[JOB_COMPLETION_INDEX];
  if (v === undefined || !/^[0-9]+$/.test(v)) return -1;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : -1;
}

/** parseIndexesFromString: "1,3-5" → [1,3,4,5], ignoring what does not parse or is >= completions. */
export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    const first = Number(m[1]);
    const last = Math.min(m[2] === undefined ? first : Number(m[2]), completions - 1);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return out;
}

/** orderedIntervals.String. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** calculateSucceededIndexes: the indexes in status plus those of succeeded pods not yet counted. */
export function calculateSucceededIndexes(job: Job, pods: Pod[]): { prev: Set<number>; all: Set<number> } {
  const completions = job.spec?.completions ?? 0;
  const prev = parseIndexes(job.status?.completedIndexes, completions);
  const all = new Set(prev);
  for (const pod of pods) {
    const ix = getCompletionIndex(pod);
    if (pod.status?.phase === 'Succeeded' && ix >= 0 && ix < completions) all.add(ix);
  }
  return { prev, all };
}

/** firstPendingIndexes: the lowest `count` indexes that neither succeeded nor have a pod running. */
export function firstPendingIndexes(job: Job, activePods: Pod[], succeeded: Set<number>, count: number): number[] {
  const completions = job.spec?.completions ?? 0;
  const taken = new Set(activePods.map(getCompletionIndex));
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!taken.has(i) && !succeeded.has(i)) out.push(i);
  return out;
}

/**
 * The active pods an Indexed Job must delete whatever the counts: an index that is missing, out of range or
 * already succeeded, and all but one pod of a repeated index.
 */
export function invalidIndexPods(job: Job, activePods: Pod[], succeeded: Set<number>): Pod[] {
  const completions = job.spec?.completions ?? 0;
  const seen = new Set<number>();
  const out: Pod[] = [];
  for (const pod of activePods) {
    const ix = getCompletionIndex(pod);
    if (ix < 0 || ix >= completions || succeeded.has(ix) || seen.has(ix)) out.push(pod);
    else seen.add(ix);
  }
  return out;
}
