// The core loop's decisions (podsShouldBeOnNode, getUnscheduledPodsWithoutNode in daemon_controller.go):
// which nodes need a daemon pod and which daemon pods must go.

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodReady } from '../controller_utils.js';
import { allowsSurge, comparePodsByCreationTimestampAndPhase, DAEMONSET_HASH_LABEL } from './daemonset_util.js';
import { nodeShouldRunDaemonPod } from './node_should_run.js';

export interface NodeDecision {
  createOnNode: boolean;
  podsToDelete: string[];
  /** Failed pods found here; the caller applies back-off and may delete them. */
  failedPods: Pod[];
}

/**
 * What one node needs. Without surge only the oldest running pod stays. With surge a node keeps its oldest
 * new pod and, while that is not yet available and the old one is ready, its oldest old pod.
 */
export function podsShouldBeOnNode(ds: DaemonSet, node: Node, daemonPods: Pod[] | undefined, hash: string, now: number): NodeDecision {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const out: NodeDecision = { createOnNode: false, podsToDelete: [], failedPods: [] };
  if (shouldRun && !daemonPods) {
    out.createOnNode = true;
    return out;
  }
  if (!daemonPods) return out;
  const live = daemonPods.filter((p) => !p.metadata?.deletionTimestamp);
  if (!shouldContinueRunning) {
    out.podsToDelete = live.map((p) => p.metadata!.name!);
    return out;
  }
  const running: Pod[] = [];
  for (const pod of live) {
    if (pod.status?.phase === 'Failed') out.failedPods.push(pod);
    // Pods of a set with restartPolicy OnFailure can succeed; they are replaced too.
    else if (pod.status?.phase === 'Succeeded') out.podsToDelete.push(pod.metadata!.name!);
    else running.push(pod);
  }
  running.sort(comparePodsByCreationTimestampAndPhase);
  if (!allowsSurge(ds)) {
    out.podsToDelete.push(...running.slice(1).map((p) => p.metadata!.name!));
    return out;
  }
  if (running.length <= 1) {
    if (!running.length && shouldRun) out.createOnNode = true;
    return out;
  }
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    if (pod.metadata?.labels?.[DAEMONSET_HASH_LABEL] === hash) {
      if (!oldestNew) {
        oldestNew = pod;
        continue;
      }
    } else if (!oldestOld) {
      oldestOld = pod;
      continue;
    }
    out.podsToDelete.push(pod.metadata!.name!);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, now))) {
    out.podsToDelete.push(oldestOld.metadata!.name!);
  }
  return out;
}

/** Pods not yet bound whose target node no longer exists. */
export function getUnscheduledPodsWithoutNode(nodes: Node[], nodeToDaemonPods: Map<string, Pod[]>): string[] {
  const existing = new Set(nodes.map((n) => n.metadata!.name!));
  const out: string[] = [];
  for (const [nodeName, pods] of nodeToDaemonPods) {
    if (existing.has(nodeName)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName) out.push(pod.metadata!.name!);
  }
  return out;
}
