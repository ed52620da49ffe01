// The scheduling framework's vocabulary (pkg/scheduler/framework/interface.go): plugin statuses, the
// extension points a plugin can implement, per-attempt cycle state, and the cluster events that can make
// a pod a plugin rejected schedulable again.

import type { NodeInfo, PodInfo } from './nodeinfo.js';

/** Unschedulable: preemption might help. UnschedulableAndUnresolvable: it cannot. Error: something broke. */
export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';

export interface Status {
  code: Code;
  reasons: string[];
  plugin?: string;
}

export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons });
export const errorStatus = (message: string): Status => ({ code: 'Error', reasons: [message] });

export const statusMessage = (s: Status) => s.reasons.join(', ');

/** A PreFilter may narrow the candidate nodes (NodeAffinity does for matchFields on metadata.name). */
export interface PreFilterResult {
  nodeNames: Set<string>;
}

export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeLabel'
  | 'NodeTaint'
  | 'NodeAllocatable'
  | 'NodeCondition'
  | 'AssignedPodAdd'
  | 'AssignedPodDelete'
  | 'PersistentVolume'
  | 'PersistentVolumeClaim'
  | 'StorageClass';

/** State data a PreFilterExtensions plugin changes in place: a copy of the state must copy it (StateData.Clone). */
export interface Cloneable {
  clone(): unknown;
}

const isCloneable = (v: unknown): v is Cloneable => typeof (v as Cloneable | undefined)?.clone === 'function';

/** Data plugins compute once per scheduling attempt (PreFilter / PreScore) and read per node. */
export class CycleState {
  private data = new Map<string, unknown>();

  /** A copy for what-if filtering (preemption, nominated pods); data that is not Cloneable is shared, as it is never changed. */
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, isCloneable(v) ? v.clone() : v);
    return c;
  }

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

export interface Plugin {
  readonly name: string;
}

export interface PreFilterPlugin extends Plugin {
  /** Undefined when every node stays a candidate. */
  preFilter(state: CycleState, pod: PodInfo): Status | PreFilterResult | undefined;
  /** Updates the PreFilter state for one more or one fewer pod on `node` (PreFilterExtensions AddPod / RemovePod). */
  addPod?(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void;
  removePod?(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void;
}

export interface FilterPlugin extends Plugin {
  /** Cluster events that may turn this plugin's rejection into a fit (EnqueueExtensions). */
  readonly events: readonly ClusterEvent[];
  /** Undefined when the pod fits. */
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined;
}

export interface ScorePlugin extends Plugin {
  readonly weight: number;
  /** False skips the plugin for this pod (PreScore returning Skip). */
  preScore?(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): boolean;
  /** 0..100, or raw values that normalize() maps onto 0..100. */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  normalize?(state: CycleState, scores: number[], nodes: NodeInfo[]): void;
}

/** PreBind: work done for the chosen node before the Binding is posted. */
export interface BindingPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<void>;
}

export const MAX_NODE_SCORE = 100;

/** helper.DefaultNormalizeScore: scale to 0..100 by the highest score, optionally reversed. */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) {
      if (reverse) scores[i] = MAX_NODE_SCORE;
      continue;
    }
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}

export function isPreFilterResult(r: Status | PreFilterResult): r is PreFilterResult {
  return (r as PreFilterResult).nodeNames !== undefined;
}
