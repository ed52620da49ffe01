// DefaultPreemption's SelectVictimsOnNode (plugins/defaultpreemption): the fewest lower-priority pods
// on one node whose removal lets the preemptor fit. All of them are removed first; if the pod fits then,
// they are added back one at a time, most important first, and kept whenever the pod still fits. Pods
// whose eviction would break a PodDisruptionBudget are offered back before the others.

import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { fromLabelSelector, matches } from '../machinery/labels.js';
import { unresolvable, type CycleState, type Status } from './framework.js';
import type { NodeInfo, PodInfo } from './nodeinfo.js';

export const NO_VICTIMS = 'No preemption victims found for incoming pod';

/** What victim selection needs from the framework; `state` and `node` are the caller's own copies. */
export interface VictimFramework {
  /** RunFilterPluginsWithNominatedPods. */
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined;
  /** RunPreFilterExtensionAddPod / RemovePod. */
  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void;
  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void;
}

export interface Victims {
  /** Most important first. */
  pods: PodInfo[];
  numPDBViolations: number;
}

/** GetPodStartTime: a pod that has not started counts as starting now, later than any real start. */
export function podStartTime(p: PodInfo): number {
  const t = p.pod.status?.startTime;
  return t ? Date.parse(t) : Infinity;
}

/** util.MoreImportantPod: higher priority, then the one running longer. */
export function moreImportantPod(a: PodInfo, b: PodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return podStartTime(a) < podStartTime(b);
}

const byImportance = (a: PodInfo, b: PodInfo) => (moreImportantPod(a, b) ? -1 : moreImportantPod(b, a) ? 1 : 0);

/**
 * filterPodsWithPDBViolation: walking the pods in order, each one a budget selects uses up one of its
 * disruptionsAllowed (unless the API server already counts it in disruptedPods); a pod that takes a
 * budget below zero violates it. Keeps the input order within each group.
 */
export function splitByPDBViolation(pods: PodInfo[], pdbs: readonly PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((b) => b.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((b) => {
    try {
      const sel = b.spec?.selector ? fromLabelSelector(b.spec.selector) : undefined;
      // A nil or empty selector matches nothing; an invalid one too.
      return sel?.length ? sel : undefined;
    } catch {
      return undefined;
    }
  });
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    let violated = false;
    const labels = p.pod.metadata.labels;
    if (labels && Object.keys(labels).length) {
      for (let i = 0; i < pdbs.length; i++) {
        const sel = selectors[i];
        if (!sel || pdbs[i].metadata?.namespace !== p.namespace || !matches(sel, labels)) continue;
        if (pdbs[i].status?.disruptedPods?.[p.name] !== undefined) continue;
        if (--allowed[i] < 0) violated = true;
      }
    }
    (violated ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}

/** The victims on `node` (a copy this changes), or the status saying why preemption there cannot help. */
export function selectVictimsOnNode(fw: VictimFramework, state: CycleState, pod: PodInfo, node: NodeInfo, pdbs: readonly PodDisruptionBudget[]): Victims | Status {
  const potential = [...node.pods.values()].filter((p) => p.priority < pod.priority);
  if (!potential.length) return unresolvable(NO_VICTIMS);
  for (const p of potential) {
    node.removePod(p.uid);
    fw.removePod(state, pod, p, node);
  }
  // Affinity of the preemptor to the very pods it would evict is not considered, as upstream.
  const s = fw.filter(state, pod, node);
  if (s) return s;
  potential.sort(byImportance);
  const { violating, nonViolating } = splitByPDBViolation(potential, pdbs);
  const victims: PodInfo[] = [];
  const reprieve = (p: PodInfo): boolean => {
    node.addPod(p);
    fw.addPod(state, pod, p, node);
    if (!fw.filter(state, pod, node)) return true;
    node.removePod(p.uid);
    fw.removePod(state, pod, p, node);
    victims.push(p);
    return false;
  };
  let numPDBViolations = 0;
  for (const p of violating) if (!reprieve(p)) numPDBViolations++;
  for (const p of nonViolating) reprieve(p);
  if (violating.length && nonViolating.length) victims.sort(byImportance);
  return { pods: victims, numPDBViolations };
}

export const isVictims = (v: Victims | Status): v is Victims => (v as Victims).pods !== undefined;
