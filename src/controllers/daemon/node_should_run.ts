// Which nodes run a daemon pod (NodeShouldRunDaemonPod in daemon_controller.go), decided with the
// scheduler's own predicates on the pod the set would create there: node name, nodeSelector plus required
// node affinity, and NoSchedule/NoExecute taints against the pod's tolerations (the daemon ones included).

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { compileRequiredNodeAffinity } from '../../scheduler/plugins/nodeselector.js';
import { findUntoleratedTaint, type Taint } from '../../scheduler/taints.js';
import { addOrUpdateDaemonPodTolerations } from './daemonset_util.js';

export interface ShouldRun {
  /** A daemon pod should be created here. */
  shouldRun: boolean;
  /** A daemon pod already here may stay (it tolerates every NoExecute taint). */
  shouldContinueRunning: boolean;
}

/** NewPod: the set's pod bound to the node, with the daemon tolerations. */
export function newDaemonPod(ds: DaemonSet, nodeName: string): Pod {
  const spec = { ...(ds.spec?.template?.spec ?? { containers: [] }) };
  spec.tolerations = addOrUpdateDaemonPodTolerations(spec);
  spec.nodeName = nodeName;
  return { metadata: { ...(ds.spec?.template?.metadata ?? {}) }, spec };
}

const filtering = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

/**
 * Upstream looks at spec.taints only (not the NoSchedule taint the scheduler infers for a NotReady node):
 * daemon pods go to nodes that are not ready yet.
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): ShouldRun {
  const nodeName = node.metadata?.name ?? '';
  const no = { shouldRun: false, shouldContinueRunning: false };
  const templateNode = ds.spec?.template?.spec?.nodeName;
  if (templateNode && templateNode !== nodeName) return no;
  const pod = newDaemonPod(ds, nodeName);
  const affinity = compileRequiredNodeAffinity(pod);
  if (affinity && !affinity(node)) return no;
  const taints: Taint[] = node.spec?.taints ?? [];
  const tolerations = pod.spec?.tolerations;
  if (!findUntoleratedTaint(taints, tolerations, filtering)) return { shouldRun: true, shouldContinueRunning: true };
  const noExecute = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
  return { shouldRun: false, shouldContinueRunning: !noExecute };
}
