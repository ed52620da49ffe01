// DefaultPreemption's PostFilter message (framework/preemption): after a pod fits nowhere, upstream looks
// for nodes where evicting lower-priority pods would make room, and explains per node why not.
// k8ts does not evict (no PriorityClass workloads yet); it reports what upstream reports when preemption
// cannot help, and no suffix when it could, which is what upstream shows once it has nominated a node.

import { fitErrorMessage, nodeStatus, type Diagnosis } from './fiterror.js';
import { unresolvable, type Status } from './framework.js';
import type { NodeInfo, PodInfo } from './nodeinfo.js';

const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS = 'No preemption victims found for incoming pod';

/** `refilter` runs every filter on a node; undefined means the pod fits there. */
export function preemptionMessage(pod: PodInfo, nodes: NodeInfo[], d: Diagnosis, refilter: (node: NodeInfo) => Status | undefined): string | undefined {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
  const statuses = new Map<string, Status>();
  for (const n of nodes) {
    // Only a node rejected as Unschedulable (not ...AndUnresolvable) might take the pod after evictions.
    if (nodeStatus(d, n.name)?.code !== 'Unschedulable') continue;
    if (!n.hasPodBelowPriority(pod.priority)) {
      statuses.set(n.name, unresolvable(NO_VICTIMS));
      continue;
    }
    const after = refilter(n.without((p) => p.priority < pod.priority));
    if (!after) return undefined;
    statuses.set(n.name, after);
  }
  const rest = unresolvable(NOT_HELPFUL);
  return `preemption: ${fitErrorMessage(nodes.length, { nodeToStatus: statuses, absentStatus: rest, unschedulablePlugins: new Set() })}`;
}
