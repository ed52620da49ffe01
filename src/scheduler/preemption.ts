// DefaultPreemption's PostFilter (framework/preemption Evaluator.Preempt): after a pod fits nowhere,
// find nodes where evicting lower-priority pods would make room (dry run on copies of the node and the
// cycle state), and pick the one where preempting hurts least. The evictions themselves are the
// caller's (preemptor.ts). When no node can help, the message explains per node why, as upstream does;
// when one can, upstream reports the fit error with no preemption suffix.

import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { fitErrorMessage, nodeStatus, type Diagnosis } from './fiterror.js';
import { errorStatus, unresolvable, type CycleState, type Status } from './framework.js';
import type { NodeInfo, PodInfo } from './nodeinfo.js';
import { isVictims, NO_VICTIMS, podStartTime, selectVictimsOnNode, type VictimFramework, type Victims } from './victims.js';

const NOT_HELPFUL = 'Preemption is not helpful for scheduling';

export interface Candidate {
  nodeName: string;
  victims: Victims;
}

/**
 * noop: leave the pod's nominatedNodeName as it is (not eligible); clear: no node can help, drop the
 * nomination; nominate: evict `victims` and nominate the node.
 */
export type PostFilterResult = { kind: 'noop'; message: string } | { kind: 'clear'; message: string } | { kind: 'nominate'; candidate: Candidate };

/** podTerminatingByPreemption: being deleted with DisruptionTarget=True/PreemptionByScheduler. */
function terminatingByPreemption(p: PodInfo): boolean {
  if (!p.terminating) return false;
  const c = p.pod.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
  return c?.status === 'True' && c.reason === 'PreemptionByScheduler';
}

/** PodEligibleToPreemptOthers: undefined when eligible, otherwise why not. */
function notEligible(pod: PodInfo, d: Diagnosis, byName: (name: string) => NodeInfo | undefined): string | undefined {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = pod.pod.status?.nominatedNodeName;
  if (!nominated) return undefined;
  // A nominated node the filters now rule out for good: look for another one.
  if (nodeStatus(d, nominated)?.code === 'UnschedulableAndUnresolvable') return undefined;
  const n = byName(nominated);
  // Victims of an earlier preemption are still terminating there: wait for them instead of evicting more.
  for (const p of n?.pods.values() ?? []) {
    if (p.priority < pod.priority && terminatingByPreemption(p)) return 'not eligible due to a terminating pod on the nominated node.';
  }
  return undefined;
}

/** calculateNumCandidates with the default args (minCandidateNodesPercentage 10, minCandidateNodesAbsolute 100). */
export function numCandidates(numNodes: number): number {
  return Math.min(Math.max(Math.trunc((numNodes * 10) / 100), 100), numNodes);
}

/**
 * DryRunPreemption over the nodes rejected as Unschedulable. Upstream starts at a random offset;
 * here at the first node by name, so that choices are reproducible.
 */
function dryRun(fw: VictimFramework, state: CycleState, pod: PodInfo, potential: NodeInfo[], pdbs: readonly PodDisruptionBudget[]) {
  const want = numCandidates(potential.length);
  const nonViolating: Candidate[] = [];
  const violating: Candidate[] = [];
  const statuses = new Map<string, Status>();
  for (const n of potential) {
    // Most nodes of a busy cluster have nothing to preempt: say so without copying them.
    if (!n.hasPodBelowPriority(pod.priority)) {
      statuses.set(n.name, unresolvable(NO_VICTIMS));
      continue;
    }
    const v = selectVictimsOnNode(fw, state.clone(), pod, n.without(() => false), pdbs);
    if (isVictims(v) && v.pods.length) {
      (v.numPDBViolations ? violating : nonViolating).push({ nodeName: n.name, victims: v });
      if (nonViolating.length && nonViolating.length + violating.length >= want) break;
      continue;
    }
    statuses.set(n.name, isVictims(v) ? errorStatus(`expected at least one victim pod on node "${n.name}"`) : v);
  }
  return { candidates: [...nonViolating, ...violating], statuses };
}

/** GetEarliestPodStartTime: the earliest start among the highest-priority victims. */
function earliestStartOfHighest(v: Victims): number {
  const top = v.pods[0].priority;
  let earliest = Infinity;
  for (const p of v.pods) if (p.priority === top) earliest = Math.min(earliest, podStartTime(p));
  return earliest;
}

// Each score prefers higher; the next one only breaks ties of the previous.
const SCORES: Array<(v: Victims) => number> = [
  (v) => -v.numPDBViolations,
  (v) => -v.pods[0].priority,
  (v) => -v.pods.reduce((sum, p) => sum + p.priority + 2 ** 31, 0),
  (v) => -v.pods.length,
  earliestStartOfHighest,
];

/**
 * pickOneNodeForPreemption: fewest PDB violations, then the lowest highest-priority victim, then the
 * smallest sum of priorities, then the fewest victims, then the latest start of the highest-priority
 * victims, then the first candidate. Victims are ordered most important first.
 */
export function pickOneNodeForPreemption(candidates: Candidate[]): Candidate | undefined {
  let left = candidates;
  for (const score of SCORES) {
    if (left.length <= 1) break;
    let best = -Infinity;
    let kept: Candidate[] = [];
    for (const c of left) {
      const s = score(c.victims);
      if (s > best) {
        best = s;
        kept = [];
      }
      if (s === best) kept.push(c);
    }
    left = kept;
  }
  return left[0];
}

/** PostFilter for a pod that fits no node; `d` says why it was rejected on each node. */
export function postFilter(
  fw: VictimFramework,
  state: CycleState,
  pod: PodInfo,
  nodes: NodeInfo[],
  d: Diagnosis,
  pdbs: readonly PodDisruptionBudget[],
  byName: (name: string) => NodeInfo | undefined,
): PostFilterResult {
  const why = notEligible(pod, d, byName);
  if (why) return { kind: 'noop', message: `preemption: ${why}` };
  // Only a node rejected as Unschedulable (not ...AndUnresolvable) might take the pod after evictions.
  const potential = nodes.filter((n) => nodeStatus(d, n.name)?.code === 'Unschedulable');
  const { candidates, statuses } = dryRun(fw, state, pod, potential, pdbs);
  const best = pickOneNodeForPreemption(candidates);
  if (best) return { kind: 'nominate', candidate: best };
  const fit = fitErrorMessage(nodes.length, { nodeToStatus: statuses, absentStatus: unresolvable(NOT_HELPFUL), unschedulablePlugins: new Set() });
  return { kind: 'clear', message: `preemption: ${fit}` };
}
