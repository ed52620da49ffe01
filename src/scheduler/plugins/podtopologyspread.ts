// PodTopologySpread scoring with the system default constraints (plugins/podtopologyspread, scoring.go):
// ScheduleAnyway across kubernetes.io/hostname (maxSkew 3) and topology.kubernetes.io/zone (maxSkew 5).
// Upstream selects "the same workload" with the selectors of the Services and controllers matching the
// pod; here it is the pods sharing the pod's controller owner, which nodes keep counts of.
// The Filter for the pod's own DoNotSchedule constraints is in podtopologyspreadfilter.ts.

import { MAX_NODE_SCORE, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../nodeinfo.js';
import { compileRequiredNodeAffinity } from './nodeselector.js';

const HOSTNAME = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const HOST_MAX_SKEW = 3;
const ZONE_MAX_SKEW = 5;
const KEY = 'PodTopologySpread/preScore';

interface PreScoreState {
  owner: number;
  hostWeight: number;
  zoneWeight: number;
  zoneCounts: Map<string, number>;
}

const normalizingWeight = (size: number) => Math.log(size + 2);

export function podTopologySpread(allNodes: () => NodeInfo[]): ScorePlugin {
  return {
    name: 'PodTopologySpread',
    weight: 2,
    preScore(state, pod, nodes) {
      if (pod.owner === undefined) return false;
      const zones = new Set<string>();
      let zoned = false;
      for (const n of nodes) {
        const zone = n.labels[ZONE];
        zoned ||= zone !== undefined;
        // Upstream counts nodes without the label as one more domain in the normalizing weight.
        zones.add(zone ?? '');
      }
      const zoneCounts = new Map<string, number>();
      if (zoned) {
        // Honor the pod's node affinity: pods on nodes it could never use do not count (nodeAffinityPolicy).
        const eligible = compileRequiredNodeAffinity(pod.pod);
        for (const n of allNodes()) {
          const zone = n.labels[ZONE];
          if (zone === undefined || !zones.has(zone) || (eligible && !eligible(n.node!))) continue;
          zoneCounts.set(zone, (zoneCounts.get(zone) ?? 0) + n.ownerCount(pod.owner));
        }
      }
      const s: PreScoreState = { owner: pod.owner, hostWeight: normalizingWeight(nodes.length), zoneWeight: normalizingWeight(zones.size), zoneCounts };
      state.write(KEY, s);
      return true;
    },
    score(state, _pod, node) {
      const s = state.read<PreScoreState>(KEY)!;
      let score = 0;
      if (HOSTNAME in node.labels) score += node.ownerCount(s.owner) * s.hostWeight + (HOST_MAX_SKEW - 1);
      const zone = node.labels[ZONE];
      if (zone !== undefined) score += (s.zoneCounts.get(zone) ?? 0) * s.zoneWeight + (ZONE_MAX_SKEW - 1);
      return Math.round(score);
    },
    normalize(_state, scores) {
      let min = Infinity;
      let max = 0;
      for (const v of scores) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      for (let i = 0; i < scores.length; i++) {
        scores[i] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
      }
    },
  };
}
