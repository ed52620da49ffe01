// NodeResourcesFit (plugins/noderesources): the pod's requests must fit in allocatable minus what the
// pods already on the node request, and the node must have a pod slot left; scoring prefers the node
// with the most room left (LeastAllocated over cpu and memory, weight 1 each).

import { unschedulable, MAX_NODE_SCORE, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo, PodInfo } from '../nodeinfo.js';

/** fitsRequest: every reason applies (a node can be short of cpu and memory at once). */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const reasons: string[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.size + 1 > alloc.allowedPodNumber) reasons.push('Too many pods');
  const req = pod.requests;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalar.size === 0) return reasons;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) reasons.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) reasons.push('Insufficient memory');
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) reasons.push('Insufficient ephemeral-storage');
  for (const [name, v] of req.scalar) {
    if (v > 0 && v > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

// The common case, checked without allocating: it runs for hundreds of nodes per pod.
function fits(pod: PodInfo, node: NodeInfo): boolean {
  const alloc = node.allocatable;
  const used = node.requested;
  const req = pod.requests;
  return (
    node.pods.size < alloc.allowedPodNumber &&
    req.milliCPU <= alloc.milliCPU - used.milliCPU &&
    req.memory <= alloc.memory - used.memory &&
    req.ephemeralStorage <= alloc.ephemeralStorage - used.ephemeralStorage &&
    req.scalar.size === 0
  );
}

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  events: ['NodeAdd', 'NodeAllocatable', 'AssignedPodDelete'],
  filter(_state, pod, node) {
    if (fits(pod, node)) return undefined;
    const reasons = insufficientResources(pod, node);
    return reasons.length ? unschedulable(...reasons) : undefined;
  },
};

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  score(_state, pod, node) {
    const alloc = node.allocatable;
    let sum = 0;
    let weights = 0;
    if (alloc.milliCPU) {
      sum += leastRequested(node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU, alloc.milliCPU);
      weights++;
    }
    if (alloc.memory) {
      sum += leastRequested(node.nonZeroRequested.memory + pod.nonZero.memory, alloc.memory);
      weights++;
    }
    return weights ? Math.trunc(sum / weights) : 0;
  },
};
