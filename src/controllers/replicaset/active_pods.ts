// Which pods count and which go first on scale-down (controller_utils.go: FilterActivePods,
// ActivePodsWithRanks with PodDeletionCost and LogarithmicScaleDown, both on by default; and
// replica_set.go: getPodsToDelete, getPodsRankedByRelatedPodsOnSameNode).

import type { Pod } from 'kubernetes-types/core/v1.js';
import { getPodReadyCondition, isPodReady } from '../controller_utils.js';

/** IsPodActive: not terminal and not being deleted. */
export const isPodActive = (pod: Pod): boolean =>
  pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && !pod.metadata?.deletionTimestamp;

export const filterActivePods = (pods: Pod[]): Pod[] => pods.filter(isPodActive);

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

const phaseOrdinal = (pod: Pod): number => PHASE_ORDINAL[pod.status?.phase ?? ''] ?? 0;

const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** GetDeletionCostFromPodAnnotations: an int32; missing or invalid counts as 0. */
export function deletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[POD_DELETION_COST];
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

/** Milliseconds since epoch, or 0 for "zero time". */
const time = (ts: string | undefined): number => {
  const t = Date.parse(ts ?? '');
  return Number.isFinite(t) ? t : 0;
};

const readyTime = (pod: Pod): number => (isPodReady(pod) ? time(getPodReadyCondition(pod)?.lastTransitionTime) : 0);

const maxContainerRestarts = (pod: Pod): number => Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));

/** afterOrZero: a zero time sorts first, then the later time. */
const afterOrZero = (t1: number, t2: number): boolean => (t1 === 0 || t2 === 0 ? t1 === 0 : t1 > t2);

/** logarithmicRankDiff on durations in nanoseconds, as upstream takes log2 of a time.Duration. */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => {
    const d = (now - t) * 1e6;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return rank(t1) - rank(t2);
}

/** Newer first, with times bucketed by powers of two of their age and pods in one bucket ordered by uid. */
function newerFirst(a: Pod, b: Pod, ta: number, tb: number, now: number): boolean {
  if (ta === 0 || tb === 0) return afterOrZero(ta, tb);
  const diff = logarithmicRankDiff(ta, tb, now);
  if (diff === 0) return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '');
  return diff < 0;
}

export interface RankedPod {
  pod: Pod;
  /** How many active related pods share the pod's node. */
  rank: number;
}

/** ActivePodsWithRanks.Less: whether `a` should be deleted before `b`. */
export function deleteBefore(a: RankedPod, b: RankedPod, now: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (!na || !nb)) return !na;
  if (phaseOrdinal(pa) !== phaseOrdinal(pb)) return phaseOrdinal(pa) < phaseOrdinal(pb);
  if (isPodReady(pa) !== isPodReady(pb)) return !isPodReady(pa);
  if (deletionCost(pa) !== deletionCost(pb)) return deletionCost(pa) < deletionCost(pb);
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (isPodReady(pa) && isPodReady(pb)) {
    const ra = readyTime(pa);
    const rb = readyTime(pb);
    if (ra !== rb) return newerFirst(pa, pb, ra, rb, now);
  }
  if (maxContainerRestarts(pa) !== maxContainerRestarts(pb)) return maxContainerRestarts(pa) > maxContainerRestarts(pb);
  const ca = time(pa.metadata?.creationTimestamp);
  const cb = time(pb.metadata?.creationTimestamp);
  if (ca !== cb) return newerFirst(pa, pb, ca, cb, now);
  return false;
}

/**
 * getPodsToDelete: the `diff` pods to delete first, ranked against `relatedPods` (the pods of every set
 * with the same owner) so that pods doubled up on a node go before lone ones.
 */
export function getPodsToDelete(filteredPods: Pod[], relatedPods: Pod[], diff: number, now: number): Pod[] {
  if (diff >= filteredPods.length) return filteredPods;
  const onNode = new Map<string, number>();
  for (const p of relatedPods) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const ranked = filteredPods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => (deleteBefore(a, b, now) ? -1 : deleteBefore(b, a, now) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
