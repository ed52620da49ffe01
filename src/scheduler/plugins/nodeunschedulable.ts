// NodeUnschedulable (plugins/nodeunschedulable): a cordoned node takes no new pods unless the pod
// tolerates the node.kubernetes.io/unschedulable:NoSchedule taint (DaemonSet pods do).

import { unresolvable, type FilterPlugin } from '../framework.js';
import { TAINT_UNSCHEDULABLE, tolerationsTolerate } from '../taints.js';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  events: ['NodeAdd', 'NodeTaint'],
  filter(_state, pod, node) {
    if (!node.node!.spec?.unschedulable) return undefined;
    if (tolerationsTolerate(pod.pod.spec?.tolerations, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' })) return undefined;
    return unresolvable(ERR_REASON_UNSCHEDULABLE);
  },
};
