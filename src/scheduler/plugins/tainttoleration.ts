// TaintToleration (plugins/tainttoleration): NoSchedule and NoExecute taints the pod does not tolerate
// rule a node out; untolerated PreferNoSchedule taints lower its score. The taints include the one a
// node that is not Ready carries, which is how readiness keeps pods off a node.

import type { Toleration } from 'kubernetes-types/core/v1.js';
import { defaultNormalizeScore, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { findUntoleratedTaint, tolerationsTolerate, type Taint } from '../taints.js';

const filtering = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  events: ['NodeAdd', 'NodeTaint', 'NodeCondition'],
  filter(_state, pod, node) {
    if (!node.taints.length) return undefined;
    const taint = findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations, filtering);
    if (!taint) return undefined;
    // 1.32 wording; kubernetes#134740 (1.35, back-ported to 1.34) drops the key and value from pod status.
    return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  },
};

const PREFER_KEY = 'TaintToleration/preferNoSchedule';

export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  preScore(state, pod) {
    state.write(PREFER_KEY, (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule'));
    return true;
  },
  score(state, _pod, node) {
    if (!node.taints.length) return 0;
    const tolerations = state.read<Toleration[]>(PREFER_KEY);
    let n = 0;
    for (const t of node.taints) if (t.effect === 'PreferNoSchedule' && !tolerationsTolerate(tolerations, t)) n++;
    return n;
  },
  normalize(_state, scores) {
    defaultNormalizeScore(scores, true);
  },
};
