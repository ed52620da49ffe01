// RollingUpdate for DaemonSets (rollingUpdate, findUpdatedPodsOnNode, updatedDesiredNodeCounts in
// pkg/controller/daemon/update.go): which old pods to delete and which nodes get a surge pod this round.
// The manage loop creates the replacements on nodes left without a pod.

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable } from '../controller_utils.js';
import { isDaemonPodUpdated, surgeCount, unavailableCount } from './daemonset_util.js';
import { nodeShouldRunDaemonPod } from './node_should_run.js';

export interface UpdateStep {
  podsToDelete: string[];
  nodesToCreate: string[];
}

/** The node's one new and one old live pod; ok=false when there is more than one of either. */
export function findUpdatedPodsOnNode(ds: DaemonSet, pods: Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (isDaemonPodUpdated(ds, pod, hash)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

/**
 * maxSurge, maxUnavailable and the desired count; nodes that should run a pod but have none join
 * nodeToDaemonPods with no pods. Both budgets 0 is impossible config: unavailability 1, as upstream.
 */
export function updatedDesiredNodeCounts(ds: DaemonSet, nodes: Node[], nodeToDaemonPods: Map<string, Pod[]>): { maxSurge: number; maxUnavailable: number; desired: number } {
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    if (!nodeToDaemonPods.has(node.metadata!.name!)) nodeToDaemonPods.set(node.metadata!.name!, []);
  }
  let maxUnavailable = unavailableCount(ds, desired);
  const maxSurge = surgeCount(ds, desired);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desired };
}

export function rollingUpdateStep(ds: DaemonSet, nodes: Node[], nodeToDaemonPods: Map<string, Pod[]>, hash: string, now: number): UpdateStep {
  const { maxSurge, maxUnavailable, desired } = updatedDesiredNodeCounts(ds, nodes, nodeToDaemonPods);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (p: Pod) => isPodAvailable(p, minReady, now);
  // Upstream walks a Go map (random order); walking the cluster's node order keeps rounds deterministic.
  const order = [...nodeToDaemonPods.keys()].sort();
  return maxSurge === 0 ? withoutSurge(ds, order, nodeToDaemonPods, hash, maxUnavailable, available) : withSurge(ds, nodes, order, nodeToDaemonPods, hash, maxSurge, desired, available);
}

/** Delete just enough old pods to stay within maxUnavailable; deleted pods do not count as unavailable. */
function withoutSurge(ds: DaemonSet, order: string[], nodeToDaemonPods: Map<string, Pod[]>, hash: string, maxUnavailable: number, available: (p: Pod) => boolean): UpdateStep {
  let numUnavailable = 0;
  const allowedReplacementPods: string[] = [];
  const candidatePodsToDelete: string[] = [];
  for (const nodeName of order) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, nodeToDaemonPods.get(nodeName)!, hash);
    if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) {
      // The manage loop cleans up or fills this node; it counts as unavailable meanwhile.
      numUnavailable++;
    } else if (newPod) {
      if (!available(newPod)) numUnavailable++;
    } else if (!available(oldPod!)) {
      allowedReplacementPods.push(oldPod!.metadata!.name!);
      numUnavailable++;
    } else if (numUnavailable < maxUnavailable) {
      candidatePodsToDelete.push(oldPod!.metadata!.name!);
    }
  }
  const remaining = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidatePodsToDelete.length);
  return { podsToDelete: [...allowedReplacementPods, ...candidatePodsToDelete.slice(0, remaining)], nodesToCreate: [] };
}

/** Create new pods beside old ones (at most maxSurge for available old pods), delete an old pod once its new one is available. */
function withSurge(
  ds: DaemonSet,
  nodes: Node[],
  order: string[],
  nodeToDaemonPods: Map<string, Pod[]>,
  hash: string,
  maxSurge: number,
  desired: number,
  available: (p: Pod) => boolean,
): UpdateStep {
  const nodeByName = new Map(nodes.map((n) => [n.metadata!.name!, n]));
  const shouldRun = (nodeName: string): boolean => {
    const node = nodeByName.get(nodeName);
    if (!node) throw new Error(`couldn't get node for nodeName "${nodeName}": node "${nodeName}" not found`);
    return nodeShouldRunDaemonPod(node, ds).shouldRun;
  };
  const oldPodsToDelete: string[] = [];
  const shouldNotRunPodsToDelete: Pod[] = [];
  const candidateNewNodes: string[] = [];
  const allowedNewNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const nodeName of order) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, nodeToDaemonPods.get(nodeName)!, hash);
    if (!ok) {
      numSurge++;
      continue;
    }
    const counted = oldPod ?? newPod;
    if (counted && available(counted)) numAvailable++;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun(nodeName)) oldPodsToDelete.push(oldPod.metadata!.name!);
        else allowedNewNodes.push(nodeName);
      } else if (!shouldRun(nodeName)) {
        shouldNotRunPodsToDelete.push(oldPod);
      } else if (numSurge < maxSurge) {
        candidateNewNodes.push(nodeName);
      }
      continue;
    }
    if (!available(newPod)) numSurge++;
    else oldPodsToDelete.push(oldPod.metadata!.name!);
  }
  // Pods on nodes that no longer qualify go only once as many pods elsewhere are available.
  const deletable = Math.min(numAvailable - desired, shouldNotRunPodsToDelete.length);
  for (const pod of shouldNotRunPodsToDelete.slice(0, Math.max(deletable, 0))) if (!pod.metadata?.deletionTimestamp) oldPodsToDelete.push(pod.metadata!.name!);
  const remainingSurge = Math.min(Math.max(maxSurge - numSurge, 0), candidateNewNodes.length);
  return { podsToDelete: oldPodsToDelete, nodesToCreate: [...allowedNewNodes, ...candidateNewNodes.slice(0, remainingSurge)] };
}
