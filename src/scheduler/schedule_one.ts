// One scheduling attempt (pkg/scheduler/schedule_one.go schedulePod): PreFilter, Filter until enough
// feasible nodes are found, Score, then pick the best node. Upstream breaks score ties at random; k8ts
// takes the lowest node name so that placements are reproducible.

import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { fitErrorMessage, NO_NODES_AVAILABLE, type Diagnosis } from './fiterror.js';
import { isPreFilterResult, statusMessage, unresolvable, type CycleState, type Status } from './framework.js';
import type { NodeInfo, PodInfo } from './nodeinfo.js';
import { postFilter, type PostFilterResult } from './preemption.js';
import type { Profile } from './profile.js';
import type { VictimFramework } from './victims.js';

export type ScheduleOutcome =
  | { kind: 'scheduled'; nodeName: string }
  | { kind: 'failed'; reason: FailureReason; message: string; plugins: Set<string>; postFilter?: PostFilterResult };

/** What scheduling reads besides the nodes: nominated pods (nominator.ts) and PodDisruptionBudgets. */
export interface SchedulingDeps {
  nominatedPods(nodeName: string): Iterable<PodInfo>;
  pdbs(): readonly PodDisruptionBudget[];
}

const NO_DEPS: SchedulingDeps = { nominatedPods: () => [], pdbs: () => [] };

/** The PodScheduled=False reason: the pod fits nowhere, or the attempt itself went wrong. */
export type FailureReason = 'Unschedulable' | 'SchedulerError';

// Filtering stops once this many feasible nodes are found (numFeasibleNodesToFind with the adaptive
// default percentageOfNodesToScore: 50% minus 1% per 125 nodes, at least 5% and at least 100 nodes).
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  const percentage = Math.max(50 - Math.trunc(numAllNodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
  return Math.max(Math.trunc((numAllNodes * percentage) / 100), MIN_FEASIBLE_NODES_TO_FIND);
}

export class GenericScheduler {
  /** Where the next attempt starts filtering, so successive pods look at different nodes first. */
  private nextStartNodeIndex = 0;

  /** The framework as preemption sees it. */
  private readonly fw: VictimFramework = {
    filter: (state, pod, node) => this.runFiltersWithNominatedPods(state, pod, node),
    addPod: (state, pod, added, node) => {
      for (const pl of this.profile.preFilter) pl.addPod?.(state, pod, added, node);
    },
    removePod: (state, pod, removed, node) => {
      for (const pl of this.profile.preFilter) pl.removePod?.(state, pod, removed, node);
    },
  };

  constructor(
    private profile: Profile,
    private deps: SchedulingDeps = NO_DEPS,
  ) {}

  /**
   * RunFilterPluginsWithNominatedPods: with pods of equal or higher priority nominated to the node
   * counted there, and without them (the pod must fit both ways, since a nominated pod may go elsewhere).
   */
  runFiltersWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    let nominated: PodInfo[] | undefined;
    for (const p of this.deps.nominatedPods(node.name)) if (p.priority >= pod.priority && p.uid !== pod.uid) (nominated ??= []).push(p);
    if (nominated) {
      const s = state.clone();
      const n = node.without(() => false);
      for (const p of nominated) {
        n.addPod(p);
        this.fw.addPod(s, pod, p, n);
      }
      const status = this.runFilters(s, pod, n);
      if (status) return status;
    }
    return this.runFilters(state, pod, node);
  }

  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    for (const pl of this.profile.filter) {
      const s = pl.filter(state, pod, node);
      if (s) {
        s.plugin = pl.name;
        return s;
      }
    }
    return undefined;
  }

  schedule(state: CycleState, pod: PodInfo, allNodes: NodeInfo[], byName: (name: string) => NodeInfo | undefined): ScheduleOutcome {
    if (!allNodes.length) return { kind: 'failed', reason: 'Unschedulable', message: NO_NODES_AVAILABLE, plugins: new Set() };
    const diagnosis: Diagnosis = { nodeToStatus: new Map(), unschedulablePlugins: new Set() };
    let nodes = allNodes;
    for (const pl of this.profile.preFilter) {
      const r = pl.preFilter(state, pod);
      if (!r) continue;
      if (!isPreFilterResult(r)) {
        if (r.code === 'Error') return this.error(`running PreFilter plugin "${pl.name}": ${statusMessage(r)}`);
        diagnosis.absentStatus = { ...r, plugin: pl.name };
        diagnosis.unschedulablePlugins.add(pl.name);
        diagnosis.preFilterMsg = statusMessage(r);
        return this.fitError(state, pod, allNodes, diagnosis, byName);
      }
      nodes = [...r.nodeNames].map(byName).filter((n): n is NodeInfo => !!n?.node);
      nodes.sort((a, b) => (a.name < b.name ? -1 : 1));
      diagnosis.absentStatus = unresolvable(`node(s) didn't satisfy plugin(s) [${pl.name}]`);
      diagnosis.unschedulablePlugins.add(pl.name);
    }
    const feasible = this.findNodesThatPassFilters(state, pod, nodes, allNodes.length, diagnosis);
    if (!feasible.length) return this.fitError(state, pod, allNodes, diagnosis, byName);
    if (feasible.length === 1) return { kind: 'scheduled', nodeName: feasible[0].name };
    return { kind: 'scheduled', nodeName: this.selectHost(state, pod, feasible) };
  }

  private findNodesThatPassFilters(state: CycleState, pod: PodInfo, nodes: NodeInfo[], numAllNodes: number, d: Diagnosis): NodeInfo[] {
    const want = numFeasibleNodesToFind(nodes.length);
    const feasible: NodeInfo[] = [];
    let processed = 0;
    for (let i = 0; i < nodes.length && feasible.length < want; i++) {
      const node = nodes[(this.nextStartNodeIndex + i) % nodes.length];
      processed++;
      const s = this.runFiltersWithNominatedPods(state, pod, node);
      if (!s) feasible.push(node);
      else {
        d.nodeToStatus.set(node.name, s);
        d.unschedulablePlugins.add(s.plugin!);
      }
    }
    this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % numAllNodes;
    return feasible;
  }

  private selectHost(state: CycleState, pod: PodInfo, feasible: NodeInfo[]): string {
    const total = new Array<number>(feasible.length).fill(0);
    for (const pl of this.profile.score) {
      if (pl.preScore && !pl.preScore(state, pod, feasible)) continue;
      const scores = feasible.map((n) => pl.score(state, pod, n));
      pl.normalize?.(state, scores, feasible);
      for (let i = 0; i < scores.length; i++) total[i] += scores[i] * pl.weight;
    }
    let best = 0;
    for (let i = 1; i < feasible.length; i++) {
      if (total[i] > total[best] || (total[i] === total[best] && feasible[i].name < feasible[best].name)) best = i;
    }
    return feasible[best].name;
  }

  private fitError(state: CycleState, pod: PodInfo, allNodes: NodeInfo[], d: Diagnosis, byName: (name: string) => NodeInfo | undefined): ScheduleOutcome {
    const result = postFilter(this.fw, state, pod, allNodes, d, this.deps.pdbs(), byName);
    if (result.kind !== 'nominate') d.postFilterMsg = result.message;
    return { kind: 'failed', reason: 'Unschedulable', message: fitErrorMessage(allNodes.length, d), plugins: d.unschedulablePlugins, postFilter: result };
  }

  private error(message: string): ScheduleOutcome {
    return { kind: 'failed', reason: 'SchedulerError', message, plugins: new Set() };
  }
}
