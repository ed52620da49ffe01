// InterPodAffinity filtering (plugins/interpodaffinity/filtering.go): PreFilter counts, per topology
// value, the existing pods whose required anti-affinity selects the incoming pod (from AffinityIndex)
// and the existing pods the incoming pod's required (anti-)affinity terms select (from the nodes'
// memoized match counts); Filter then only looks those counts up with the node's labels, O(terms).

import type { Pod } from 'kubernetes-types/core/v1.js';
import { unresolvable, unschedulable, type Cloneable, type FilterPlugin, type PreFilterPlugin } from '../framework.js';
import type { NodeInfo, PodInfo } from '../nodeinfo.js';
import {
  countAt,
  domainCounter,
  mergeNamespaces,
  namespaceLabels,
  termMatcher,
  termMatches,
  type AffinityTerm,
  type NamespaceLister,
  type TopologyCounts,
} from './affinityterm.js';
import type { AffinityIndex } from './affinityindex.js';
import { internMatcher } from './podmatcher.js';

export const NAME = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

const KEY = 'PreFilterInterPodAffinity';

interface PreFilterState extends Cloneable {
  existingAntiAffinityCounts: TopologyCounts;
  affinityCounts: TopologyCounts;
  antiAffinityCounts: TopologyCounts;
  /** The incoming pod's required terms, namespaceSelectors unrolled. */
  affinity: AffinityTerm[];
  antiAffinity: AffinityTerm[];
  pod: Pod;
  /** The labels of the incoming pod's namespace, for existing pods' namespaceSelectors. */
  nsLabels: Record<string, string>;
}

const copyCounts = (m: TopologyCounts): TopologyCounts => new Map([...m].map(([k, v]) => [k, new Map(v)]));

function newState(s: Omit<PreFilterState, 'clone'>): PreFilterState {
  return {
    ...s,
    clone: () =>
      newState({ ...s, existingAntiAffinityCounts: copyCounts(s.existingAntiAffinityCounts), affinityCounts: copyCounts(s.affinityCounts), antiAffinityCounts: copyCounts(s.antiAffinityCounts) }),
  };
}

/** topologyToMatchedTermCount.update: an entry that drops to zero is removed, so "no match anywhere" stays an empty map. */
function adjust(m: TopologyCounts, key: string, labels: Record<string, string>, by: number): void {
  const value = labels[key];
  if (value === undefined) return;
  const values = m.get(key) ?? new Map<string, number>();
  const n = (values.get(value) ?? 0) + by;
  if (n === 0) values.delete(value);
  else values.set(value, n);
  if (values.size) m.set(key, values);
  else m.delete(key);
}

/** updateWithPod: `p` joins (+1) or leaves (-1) `node`, as preemption and nominated pods ask. */
function updateWithPod(s: PreFilterState, p: PodInfo, node: NodeInfo, by: 1 | -1): void {
  const labels = node.labels;
  for (const t of p.affinity?.requiredAntiAffinity ?? []) {
    if (termMatches(t, s.pod, s.nsLabels)) adjust(s.existingAntiAffinityCounts, t.topologyKey, labels, by);
  }
  if (matchesAll(s.affinity, p.pod)) for (const t of s.affinity) adjust(s.affinityCounts, t.topologyKey, labels, by);
  // The incoming pod's terms have their namespaceSelectors unrolled: no namespace labels needed.
  for (const t of s.antiAffinity) if (termMatches(t, p.pod, undefined)) adjust(s.antiAffinityCounts, t.topologyKey, labels, by);
}

/** podMatchesAllAffinityTerms: the incoming terms already carry their namespaces, so no labels are needed. */
function matchesAll(terms: AffinityTerm[], pod: Pod): boolean {
  if (!terms.length) return false;
  for (const t of terms) if (!termMatches(t, pod, undefined)) return false;
  return true;
}

/** Counts of existing pods matching all affinity terms, and each anti-affinity term, of the incoming pod. */
function incomingCounts(s: PreFilterState, nodes: NodeInfo[]): void {
  const affinity = s.affinity;
  const all = affinity.length === 1 ? termMatcher(affinity[0]) : affinity.length ? internMatcher(`all\n${affinity.map((t) => t.key).join('\n')}`, (p) => matchesAll(affinity, p.pod)) : undefined;
  const anti = s.antiAffinity.map(termMatcher);
  const affinityAdd = affinity.map((t) => domainCounter(s.affinityCounts, t.topologyKey));
  const antiAdd = s.antiAffinity.map((t) => domainCounter(s.antiAffinityCounts, t.topologyKey));
  for (const n of nodes) {
    const labels = n.labels;
    if (all) {
      const count = n.countMatching(all);
      if (count) {
        for (let i = 0; i < affinity.length; i++) {
          const value = labels[affinity[i].topologyKey];
          if (value !== undefined) affinityAdd[i](value, count);
        }
      }
    }
    for (let i = 0; i < anti.length; i++) {
      const value = labels[s.antiAffinity[i].topologyKey];
      if (value === undefined) continue;
      const count = n.countMatching(anti[i]);
      if (count) antiAdd[i](value, count);
    }
  }
}

function satisfiesExistingPodsAntiAffinity(s: PreFilterState, labels: Record<string, string>): boolean {
  for (const [key, values] of s.existingAntiAffinityCounts) {
    const value = labels[key];
    if (value !== undefined && (values.get(value) ?? 0) > 0) return false;
  }
  return true;
}

function satisfiesPodAntiAffinity(s: PreFilterState, labels: Record<string, string>): boolean {
  if (!s.antiAffinityCounts.size) return true;
  for (const t of s.antiAffinity) {
    const value = labels[t.topologyKey];
    if (value !== undefined && countAt(s.antiAffinityCounts, t.topologyKey, value) > 0) return false;
  }
  return true;
}

function satisfiesPodAffinity(s: PreFilterState, labels: Record<string, string>): boolean {
  let podsExist = true;
  for (const t of s.affinity) {
    const value = labels[t.topologyKey];
    // Every topology key must be on the node.
    if (value === undefined) return false;
    if (countAt(s.affinityCounts, t.topologyKey, value) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: no pod matches anywhere yet, but it matches its
  // own terms, so it may go to any node that has the topology labels.
  return !s.affinityCounts.size && matchesAll(s.affinity, s.pod);
}

/**
 * PreFilter and Filter of InterPodAffinity over the cache's nodes. `index` is shared with the score
 * plugin; `namespaces` resolves namespaceSelectors.
 */
export function interPodAffinityFilter(allNodes: () => NodeInfo[], index: AffinityIndex, namespaces?: NamespaceLister): PreFilterPlugin & FilterPlugin {
  return {
    name: NAME,
    events: ['NodeAdd', 'NodeLabel', 'AssignedPodAdd', 'AssignedPodDelete'],
    preFilter(state, pod: PodInfo) {
      const nodes = allNodes();
      const nsLabels = namespaceLabels(namespaces, pod.namespace);
      index.sync(nodes);
      const existing: TopologyCounts = new Map();
      index.requiredAntiAffinity.collect(pod.pod, nsLabels, 1, existing);
      const affinity = (pod.affinity?.requiredAffinity ?? []).map((t) => mergeNamespaces(t, namespaces));
      const antiAffinity = (pod.affinity?.requiredAntiAffinity ?? []).map((t) => mergeNamespaces(t, namespaces));
      // Skip: nothing can reject a node.
      if (!existing.size && !affinity.length && !antiAffinity.length) return undefined;
      const s = newState({ existingAntiAffinityCounts: existing, affinityCounts: new Map(), antiAffinityCounts: new Map(), affinity, antiAffinity, pod: pod.pod, nsLabels });
      if (affinity.length || antiAffinity.length) incomingCounts(s, nodes);
      state.write(KEY, s);
      return undefined;
    },
    addPod(state, _pod, added, node) {
      const s = state.read<PreFilterState>(KEY);
      if (s) updateWithPod(s, added, node, 1);
    },
    removePod(state, _pod, removed, node) {
      const s = state.read<PreFilterState>(KEY);
      if (s) updateWithPod(s, removed, node, -1);
    },
    filter(state, _pod, node) {
      const s = state.read<PreFilterState>(KEY);
      if (!s) return undefined;
      const labels = node.labels;
      if (!satisfiesPodAffinity(s, labels)) return unresolvable(ERR_REASON_AFFINITY);
      if (!satisfiesPodAntiAffinity(s, labels)) return unschedulable(ERR_REASON_ANTI_AFFINITY);
      if (!satisfiesExistingPodsAntiAffinity(s, labels)) return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
      return undefined;
    },
  };
}
