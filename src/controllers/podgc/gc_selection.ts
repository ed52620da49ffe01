// Which pods the pod garbage collector deletes in one pass, in upstream's order: terminated pods over
// the threshold (evicted ones first, then oldest), terminating pods on out-of-service nodes, pods on
// deleted nodes, and terminating pods never scheduled.

import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';

export type GCReason = 'terminated' | 'out-of-service' | 'orphaned' | 'unscheduled-terminating';

export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

export const orphanCondition: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };

/** isPodTerminated: any phase but Pending, Running and Unknown. */
const isTerminated = (p: Pod): boolean => !['Pending', 'Running', 'Unknown'].includes(p.status?.phase ?? '');
const isEvicted = (p: Pod): boolean => p.status?.phase === 'Failed' && p.status.reason === 'Evicted';
const isReady = (n: Node): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** byEvictionAndCreationTimestamp. */
function byEvictionAndCreation(a: Pod, b: Pod): number {
  if (isEvicted(a) !== isEvicted(b)) return isEvicted(a) ? -1 : 1;
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

export function podsToGC(pods: Pod[], nodes: Node[], deletedNodes: Set<string>, terminatedPodThreshold: number): Array<{ pod: Pod; reason: GCReason }> {
  const out: Array<{ pod: Pod; reason: GCReason }> = [];
  if (terminatedPodThreshold > 0) {
    const terminated = pods.filter(isTerminated);
    const excess = terminated.length - terminatedPodThreshold;
    if (excess > 0) for (const pod of terminated.sort(byEvictionAndCreation).slice(0, excess)) out.push({ pod, reason: 'terminated' });
  }
  const byName = new Map(nodes.map((n) => [n.metadata!.name!, n]));
  for (const pod of pods) {
    if (!pod.metadata?.deletionTimestamp) continue;
    const node = byName.get(pod.spec?.nodeName ?? '');
    if (node && !isReady(node) && (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE)) out.push({ pod, reason: 'out-of-service' });
  }
  for (const pod of pods) if (pod.spec?.nodeName && deletedNodes.has(pod.spec.nodeName)) out.push({ pod, reason: 'orphaned' });
  for (const pod of pods) if (pod.metadata?.deletionTimestamp && !pod.spec?.nodeName) out.push({ pod, reason: 'unscheduled-terminating' });
  return out;
}
