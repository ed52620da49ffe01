// NodePorts (plugins/nodeports): a pod's hostPorts must be free on the node.

import { unschedulable, type FilterPlugin } from '../framework.js';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  events: ['NodeAdd', 'AssignedPodDelete'],
  filter(_state, pod, node) {
    for (const hp of pod.hostPorts) if (node.portConflict(hp)) return unschedulable(ERR_REASON_PORTS);
    return undefined;
  },
};
