// The default profile (apis/config/v1 getDefaultPlugins) as far as k8ts implements it, in upstream's
// order: filters run in this order and the first one to reject a node is the reason reported for it.
// InterPodAffinity's PreFilter, Filter and Score slot in after PodTopologySpread.

import type { BindingPlugin, FilterPlugin, PreFilterPlugin, ScorePlugin } from './framework.js';
import type { NodeInfo } from './nodeinfo.js';
import { nodeAffinityFilter, nodeAffinityPreFilter, nodeAffinityScore } from './plugins/nodeaffinity.js';
import { nodePorts } from './plugins/nodeports.js';
import { leastAllocated, nodeResourcesFit } from './plugins/noderesources.js';
import { nodeUnschedulable } from './plugins/nodeunschedulable.js';
import { podTopologySpread } from './plugins/podtopologyspread.js';
import { taintTolerationFilter, taintTolerationScore } from './plugins/tainttoleration.js';
import { VolumeBinding, type VolumeBindingDeps } from './plugins/volumebinding.js';

export interface Profile {
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  score: ScorePlugin[];
  preBind: BindingPlugin[];
  volumeBinding: VolumeBinding;
}

export function defaultProfile(volumes: VolumeBindingDeps, allNodes: () => NodeInfo[]): Profile {
  const volumeBinding = new VolumeBinding(volumes);
  return {
    preFilter: [nodeAffinityPreFilter, volumeBinding],
    filter: [nodeUnschedulable, taintTolerationFilter, nodeAffinityFilter, nodePorts, nodeResourcesFit, volumeBinding],
    score: [taintTolerationScore, nodeAffinityScore, leastAllocated, podTopologySpread(allNodes)],
    preBind: [volumeBinding],
    volumeBinding,
  };
}
