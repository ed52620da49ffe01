// FitError (framework/types.go): why a pod fits no node, in the wording kubectl describe shows:
// "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. preemption: ...".

import type { Status } from './framework.js';

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export interface Diagnosis {
  /** The rejecting status of each node that was filtered. */
  nodeToStatus: Map<string, Status>;
  /** The status of every node not in nodeToStatus (a failed PreFilter, or nodes a PreFilter ruled out). */
  absentStatus?: Status;
  /** Plugins that rejected the pod somewhere; events relevant to them requeue it. */
  unschedulablePlugins: Set<string>;
  preFilterMsg?: string;
  postFilterMsg?: string;
}

/** "<count> <reason>" for every distinct reason, sorted as whole strings, as sort.Strings does. */
function reasonHistogram(numAllNodes: number, d: Diagnosis): string[] {
  const counts = new Map<string, number>();
  for (const s of d.nodeToStatus.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const absent = numAllNodes - d.nodeToStatus.size;
  if (d.absentStatus && absent > 0) for (const r of d.absentStatus.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const reasons = reasonHistogram(numAllNodes, d);
    if (reasons.length) msg += ` ${reasons.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** The status a node ended up with: its own, or the one every absent node shares. */
export function nodeStatus(d: Diagnosis, nodeName: string): Status | undefined {
  return d.nodeToStatus.get(nodeName) ?? d.absentStatus;
}
