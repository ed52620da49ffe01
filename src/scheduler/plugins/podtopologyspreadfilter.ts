// PodTopologySpread filtering (plugins/podtopologyspread/filtering.go): for each whenUnsatisfiable:
// DoNotSchedule constraint, placing the pod in a domain must keep
// 'matching pods there' + 'the pod itself, if it matches' - 'global minimum' <= maxSkew.
// PreFilter counts matching pods per domain over the eligible nodes (nodeAffinityPolicy Honor and
// nodeTaintsPolicy Ignore by default); with fewer than minDomains domains the global minimum is 0.

import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { fromLabelSelector, matches, type Selector } from '../../machinery/labels.js';
import { unresolvable, unschedulable, type FilterPlugin, type PreFilterPlugin } from '../framework.js';
import type { NodeInfo, PodInfo, PodMatcher } from '../nodeinfo.js';
import { findUntoleratedTaint, type Taint } from '../taints.js';
import { compileRequiredNodeAffinity } from './nodeselector.js';
import { internMatcher } from './podmatcher.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

const KEY = 'PreFilterPodTopologySpread';

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  /** Null matches nothing (a nil labelSelector). */
  selector: Selector | null;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorNodeTaints: boolean;
}

interface PreFilterState {
  constraints: Constraint[];
  /** Topology key → domain → matching pods; every eligible domain has an entry. */
  counts: Map<string, Map<string, number>>;
  /** Per constraint: the global minimum, or undefined when its key has no eligible domain. */
  minimums: Array<number | undefined>;
}

// matchLabelKeys: the pod's values for those keys are ANDed into the selector (a nil selector stays nil).
function constraintSelector(c: TopologySpreadConstraint, labels: Record<string, string>): Selector | null {
  if (!c.labelSelector) return null;
  const sel = fromLabelSelector(c.labelSelector);
  for (const key of c.matchLabelKeys ?? []) if (key in labels) sel.unshift({ key, op: '=', values: [labels[key]] });
  return sel;
}

function hardConstraints(pod: Pod): Constraint[] {
  const labels = pod.metadata?.labels ?? {};
  return (pod.spec?.topologySpreadConstraints ?? [])
    .filter((c) => c.whenUnsatisfiable === 'DoNotSchedule')
    .map((c) => ({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector: constraintSelector(c, labels),
      minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
    }));
}

const doNotSchedule = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

// countPodsMatchSelector: an empty selector counts nothing; terminating pods and other namespaces never count.
function podMatcher(selector: Selector | null, namespace: string): PodMatcher | undefined {
  if (!selector?.length) return undefined;
  return internMatcher(`spread\n${namespace}\n${JSON.stringify(selector)}`, (p) => !p.terminating && p.namespace === namespace && matches(selector, p.pod.metadata.labels));
}

function preFilterState(pod: PodInfo, constraints: Constraint[], nodes: NodeInfo[]): PreFilterState {
  const counts = new Map<string, Map<string, number>>(constraints.map((c) => [c.topologyKey, new Map()]));
  const nodeAffinity = compileRequiredNodeAffinity(pod.pod);
  const tolerations = pod.pod.spec?.tolerations;
  const matchers = constraints.map((c) => podMatcher(c.selector, pod.namespace));
  for (const n of nodes) {
    const labels = n.labels;
    if (!constraints.every((c) => c.topologyKey in labels)) continue;
    // Constraints sharing a key: the last one's count for this node is the one kept, as upstream does.
    const here = new Map<string, number>();
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i];
      if (c.honorNodeAffinity && nodeAffinity && !nodeAffinity(n.node!)) continue;
      if (c.honorNodeTaints && findUntoleratedTaint(n.taints, tolerations, doNotSchedule)) continue;
      const m = matchers[i];
      here.set(c.topologyKey, m ? n.countMatching(m) : 0);
    }
    for (const [key, count] of here) {
      const domains = counts.get(key)!;
      const value = labels[key];
      domains.set(value, (domains.get(value) ?? 0) + count);
    }
  }
  return { constraints, counts, minimums: constraints.map((c) => globalMinimum(counts.get(c.topologyKey)!, c.minDomains)) };
}

function globalMinimum(domains: Map<string, number>, minDomains: number): number | undefined {
  if (!domains.size) return undefined;
  if (domains.size < minDomains) return 0;
  let min = Infinity;
  for (const v of domains.values()) if (v < min) min = v;
  return min;
}

export function podTopologySpreadFilter(allNodes: () => NodeInfo[]): PreFilterPlugin & FilterPlugin {
  return {
    name: 'PodTopologySpread',
    events: ['NodeAdd', 'NodeLabel', 'NodeTaint', 'AssignedPodAdd', 'AssignedPodDelete'],
    preFilter(state, pod) {
      const constraints = hardConstraints(pod.pod);
      if (constraints.length) state.write(KEY, preFilterState(pod, constraints, allNodes()));
      return undefined;
    },
    filter(state, pod, node) {
      const s = state.read<PreFilterState>(KEY);
      if (!s) return undefined;
      const labels = node.labels;
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i];
        const value = labels[c.topologyKey];
        if (value === undefined) return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
        const min = s.minimums[i];
        // Upstream skips a constraint whose key has no eligible domain at all.
        if (min === undefined) continue;
        const self = c.selector && matches(c.selector, pod.pod.metadata.labels) ? 1 : 0;
        const skew = (s.counts.get(c.topologyKey)!.get(value) ?? 0) + self - min;
        if (skew > c.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
      }
      return undefined;
    },
  };
}
