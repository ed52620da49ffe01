// The default profile (apis/config/v1 getDefaultPlugins) as far as k8ts implements it, in upstream's
// order: filters run in this order and the first one to reject a node is the reason reported for it.

import type { BindingPlugin, FilterPlugin, PreFilterPlugin, ScorePlugin } from './framework.js';
import type { NodeInfo } from './nodeinfo.js';
import { AffinityIndex } from './plugins/affinityindex.js';
import type { NamespaceLister } from './plugins/affinityterm.js';
import { interPodAffinityFilter } from './plugins/interpodaffinity.js';
import { interPodAffinityScore } from './plugins/interpodaffinityscoring.js';
import { nodeAffinityFilter, nodeAffinityPreFilter, nodeAffinityScore } from './plugins/nodeaffinity.js';
import { nodePorts } from './plugins/nodeports.js';
import { leastAllocated, nodeResourcesFit } from './plugins/noderesources.js';
import { nodeUnschedulable } from './plugins/nodeunschedulable.js';
import { podTopologySpread } from './plugins/podtopologyspread.js';
import { podTopologySpreadFilter } from './plugins/podtopologyspreadfilter.js';
import { taintTolerationFilter, taintTolerationScore } from './plugins/tainttoleration.js';
import { VolumeBinding, type VolumeBindingDeps } from './plugins/volumebinding.js';

export interface Profile {
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  score: ScorePlugin[];
  preBind: BindingPlugin[];
  volumeBinding: VolumeBinding;
}

/** `namespaces` gives namespace labels to inter-pod affinity's namespaceSelector; without it they select nothing. */
export function defaultProfile(volumes: VolumeBindingDeps, allNodes: () => NodeInfo[], namespaces?: NamespaceLister): Profile {
  const volumeBinding = new VolumeBinding(volumes);
  const index = new AffinityIndex();
  const spread = podTopologySpreadFilter(allNodes);
  const interPodAffinity = interPodAffinityFilter(allNodes, index, namespaces);
  return {
    preFilter: [nodeAffinityPreFilter, volumeBinding, spread, interPodAffinity],
    filter: [nodeUnschedulable, taintTolerationFilter, nodeAffinityFilter, nodePorts, nodeResourcesFit, volumeBinding, spread, interPodAffinity],
    score: [taintTolerationScore, nodeAffinityScore, leastAllocated, podTopologySpread(allNodes), interPodAffinityScore(allNodes, index, namespaces)],
    preBind: [volumeBinding],
    volumeBinding,
  };
}
