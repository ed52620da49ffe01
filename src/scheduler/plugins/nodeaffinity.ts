// NodeAffinity (plugins/nodeaffinity): spec.nodeSelector and required node affinity must match the
// node; preferred terms add their weights to its score. Terms that pin metadata.name narrow the
// candidate nodes up front, as upstream's PreFilter does for DaemonSet pods.

import type { Node, NodeSelectorTerm } from 'kubernetes-types/core/v1.js';
import {
  defaultNormalizeScore,
  unresolvable,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreFilterResult,
  type ScorePlugin,
  type Status,
} from '../framework.js';
import type { PodInfo } from '../nodeinfo.js';
import { compilePreferredTerms, compileRequiredNodeAffinity } from './nodeselector.js';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

const NAME = 'NodeAffinity';
const REQUIRED_KEY = 'NodeAffinity/required';
const PREFERRED_KEY = 'NodeAffinity/preferred';

type NodeTest = (node: Node) => boolean;

// Node names the required terms allow, if every term names its nodes; undefined when any node may do.
function pinnedNodeNames(pod: PodInfo): Set<string> | undefined {
  const terms: NodeSelectorTerm[] | undefined = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return undefined;
  let names: Set<string> | undefined;
  for (const t of terms) {
    let termNames: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const s = new Set<string>(r.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
    }
    if (!termNames) return undefined;
    names = new Set([...(names ?? []), ...termNames]);
  }
  return names;
}

export const nodeAffinityPreFilter: PreFilterPlugin = {
  name: NAME,
  preFilter(state, pod): Status | PreFilterResult | undefined {
    const test = compileRequiredNodeAffinity(pod.pod);
    if (!test) return undefined;
    state.write(REQUIRED_KEY, test);
    const names = pinnedNodeNames(pod);
    if (!names) return undefined;
    if (!names.size) return unresolvable(ERR_REASON_CONFLICT);
    return { nodeNames: names };
  },
};

export const nodeAffinityFilter: FilterPlugin = {
  name: NAME,
  events: ['NodeAdd', 'NodeLabel'],
  filter(state, _pod, node) {
    const test = state.read<NodeTest>(REQUIRED_KEY);
    if (!test || test(node.node!)) return undefined;
    return unresolvable(ERR_REASON_POD);
  },
};

export const nodeAffinityScore: ScorePlugin = {
  name: NAME,
  weight: 2,
  preScore(state, pod) {
    const terms = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (!terms?.length) return false;
    state.write(PREFERRED_KEY, compilePreferredTerms(terms));
    return true;
  },
  score(state, _pod, node) {
    return state.read<(n: Node) => number>(PREFERRED_KEY)!(node.node!);
  },
  normalize(_state, scores) {
    defaultNormalizeScore(scores, false);
  },
};
