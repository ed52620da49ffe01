// PodTopologySpread filtering (plugins/podtopologyspread/filtering.go): for each whenUnsatisfiable:
// DoNotSchedule constraint, placing the pod in a domain must keep
// 'matching pods there' + 'the pod itself, if it matches' - 'global minimum' <= maxSkew.
// PreFilter counts matching pods per domain over the eligible nodes (nodeAffinityPolicy Honor and
// nodeTaintsPolicy Ignore by default); with fewer than minDomains domains the global minimum is 0.

import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { fromLabelSelector, matches, type Selector } from '../../machinery/labels.js';
import { unresolvable, unschedulable, type Cloneable, type CycleState, type FilterPlugin, type PreFilterPlugin } from '../framework.js';
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

interface PreFilterState extends Cloneable {
  constraints: Constraint[];
  /** Per constraint: which pods count (podMatcher). */
  matchers: Array<PodMatcher | undefined>;
  /** Per constraint: whether a node is eligible to count for it (node inclusion policies). */
  eligible: Array<(n: NodeInfo) => boolean>;
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

/** Per topology key of node `n`, what `count` adds there; empty when `n` lacks a key. */
function perKey(s: Pick<PreFilterState, 'constraints' | 'eligible' | 'matchers'>, n: NodeInfo, count: (m: PodMatcher) => number): Map<string, number> {
  const here = new Map<string, number>();
  const labels = n.labels;
  if (!s.constraints.every((c) => c.topologyKey in labels)) return here;
  // Constraints sharing a key: the last one's count for this node is the one kept, as upstream does.
  for (let i = 0; i < s.constraints.length; i++) {
    if (!s.eligible[i](n)) continue;
    const m = s.matchers[i];
    here.set(s.constraints[i].topologyKey, m ? count(m) : 0);
  }
  return here;
}

function withMinimums(s: Omit<PreFilterState, 'clone' | 'minimums'>): PreFilterState {
  const minimums = s.constraints.map((c) => globalMinimum(s.counts.get(c.topologyKey)!, c.minDomains));
  return { ...s, minimums, clone: () => withMinimums({ ...s, counts: new Map([...s.counts].map(([k, v]) => [k, new Map(v)])) }) };
}

function preFilterState(pod: PodInfo, constraints: Constraint[], nodes: NodeInfo[]): PreFilterState {
  const counts = new Map<string, Map<string, number>>(constraints.map((c) => [c.topologyKey, new Map()]));
  const nodeAffinity = compileRequiredNodeAffinity(pod.pod);
  const tolerations = pod.pod.spec?.tolerations;
  const matchers = constraints.map((c) => podMatcher(c.selector, pod.namespace));
  const eligible = constraints.map((c) => (n: NodeInfo) => {
    if (c.honorNodeAffinity && nodeAffinity && !nodeAffinity(n.node!)) return false;
    return !(c.honorNodeTaints && findUntoleratedTaint(n.taints, tolerations, doNotSchedule));
  });
  const s = { constraints, matchers, eligible, counts };
  for (const n of nodes) {
    for (const [key, count] of perKey(s, n, (m) => n.countMatching(m))) {
      const domains = counts.get(key)!;
      const value = n.labels[key];
      domains.set(value, (domains.get(value) ?? 0) + count);
    }
  }
  return withMinimums(s);
}

/** updateWithPod: `p` joins or leaves `node`; counted exactly as PreFilter counted it. */
function updateWithPod(state: CycleState, p: PodInfo, node: NodeInfo, by: 1 | -1): void {
  const s = state.read<PreFilterState>(KEY);
  if (!s) return;
  const here = perKey(s, node, (m) => (m.test(p) ? 1 : 0));
  if (![...here.values()].some((v) => v)) return;
  for (const [key, count] of here) {
    const domains = s.counts.get(key)!;
    const value = node.labels[key];
    domains.set(value, (domains.get(value) ?? 0) + by * count);
  }
  state.write(KEY, withMinimums(s));
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
    addPod: (state, _pod, added, node) => updateWithPod(state, added, node, 1),
    removePod: (state, _pod, removed, node) => updateWithPod(state, removed, node, -1),
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
