// InterPodAffinity scoring (plugins/interpodaffinity/scoring.go): every existing pod adds to the score of
// its node's topology domain: +weight for each preferred affinity term of the incoming pod it matches,
// -weight for each preferred anti-affinity term, and symmetrically for its own terms that select the
// incoming pod (its required affinity terms at hardPodAffinityWeight). Scores are then min-max scaled.

import { MAX_NODE_SCORE, type ScorePlugin } from '../framework.js';
import type { NodeInfo, PodInfo, PodMatcher } from '../nodeinfo.js';
import {
  domainCounter,
  mergeNamespaces,
  namespaceLabels,
  termMatcher,
  type AffinityTerm,
  type NamespaceLister,
  type TopologyCounts,
  type WeightedAffinityTerm,
} from './affinityterm.js';
import type { AffinityIndex } from './affinityindex.js';
import { NAME } from './interpodaffinity.js';

const KEY = 'PreScoreInterPodAffinity';
const HARD_POD_AFFINITY_WEIGHT = 1;

interface IncomingTerm {
  term: AffinityTerm;
  /** Negative for anti-affinity. */
  weight: number;
  matcher: PodMatcher;
}

function incomingTerms(pod: PodInfo, namespaces: NamespaceLister | undefined): IncomingTerm[] {
  const out: IncomingTerm[] = [];
  const add = (w: WeightedAffinityTerm, sign: 1 | -1) => {
    // The incoming pod's namespaceSelectors are unrolled: matching existing pods needs no namespace labels.
    const term = mergeNamespaces(w.term, namespaces);
    out.push({ term, weight: sign * w.weight, matcher: termMatcher(term) });
  };
  for (const w of pod.affinity?.preferredAffinity ?? []) add(w, 1);
  for (const w of pod.affinity?.preferredAntiAffinity ?? []) add(w, -1);
  return out;
}

export function interPodAffinityScore(allNodes: () => NodeInfo[], index: AffinityIndex, namespaces?: NamespaceLister): ScorePlugin {
  return {
    name: NAME,
    weight: 2,
    preScore(state, pod: PodInfo) {
      const incoming = incomingTerms(pod, namespaces);
      const nsLabels = namespaceLabels(namespaces, pod.namespace);
      const scores: TopologyCounts = new Map();
      const nodes = allNodes();
      for (const { term, weight, matcher } of incoming) {
        const add = domainCounter(scores, term.topologyKey);
        for (const n of nodes) {
          const value = n.labels[term.topologyKey];
          if (value === undefined) continue;
          const count = n.countMatching(matcher);
          if (count) add(value, count * weight);
        }
      }
      index.sync(nodes);
      index.requiredAffinity.collect(pod.pod, nsLabels, HARD_POD_AFFINITY_WEIGHT, scores);
      index.preferred.collect(pod.pod, nsLabels, 1, scores);
      if (!scores.size) return false;
      state.write(KEY, scores);
      return true;
    },
    score(state, _pod, node) {
      const scores = state.read<TopologyCounts>(KEY)!;
      const labels = node.labels;
      let score = 0;
      for (const [key, values] of scores) {
        const value = labels[key];
        if (value !== undefined) score += values.get(value) ?? 0;
      }
      return score;
    },
    normalize(_state, scores) {
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        if (s > max) max = s;
        if (s < min) min = s;
      }
      const diff = max - min;
      for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i] - min) / diff)) : 0;
    },
  };
}
