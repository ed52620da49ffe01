// A cluster-wide index of the existing pods' inter-pod affinity terms, for the checks that ask "which
// existing pods' terms select the incoming pod?" (existing pods' required anti-affinity in PreFilter,
// their required and preferred terms in PreScore). Upstream walks every node's PodsWithAffinity for that;
// here each distinct term is kept once with its per-node counts and looked up by the labels it requires,
// so a scheduling cycle only matches the terms that can select the pod and reindexes changed nodes.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../nodeinfo.js';
import { domainCounter, termMatches, type AffinityTerm, type TopologyCounts } from './affinityterm.js';

const labelKey = (key: string, value: string) => `${key}\0${value}`;

// An equality or `in` requirement of the term: a pod it selects carries one of these labels.
function requiredLabels(t: AffinityTerm): string[] | undefined {
  const r = t.selector!.find((r) => r.op === '=' || r.op === 'in');
  return r?.values.map((v) => labelKey(r.key, v));
}

/** Distinct terms → node → count (or summed weight), findable by a label the term requires. */
class TermTable {
  private readonly byTerm = new Map<AffinityTerm, Map<NodeInfo, number>>();
  /** "key\0value" → terms that require that label; the rest must be checked for every pod. */
  private readonly byLabel = new Map<string, Set<AffinityTerm>>();
  private readonly unindexed = new Set<AffinityTerm>();

  update(t: AffinityTerm, node: NodeInfo, by: number): void {
    // A nil selector selects nothing: such terms never count.
    if (!t.selector) return;
    let nodes = this.byTerm.get(t);
    if (!nodes) {
      nodes = new Map();
      this.byTerm.set(t, nodes);
      const keys = requiredLabels(t);
      if (!keys) this.unindexed.add(t);
      for (const k of keys ?? []) {
        const set = this.byLabel.get(k) ?? new Set();
        set.add(t);
        this.byLabel.set(k, set);
      }
    }
    const n = (nodes.get(node) ?? 0) + by;
    if (n) nodes.set(node, n);
    else nodes.delete(node);
    if (nodes.size) return;
    this.byTerm.delete(t);
    this.unindexed.delete(t);
    for (const k of requiredLabels(t) ?? []) {
      const set = this.byLabel.get(k)!;
      set.delete(t);
      if (!set.size) this.byLabel.delete(k);
    }
  }

  /** Adds count × multiplier at each node's topology value for every term selecting `pod`. */
  collect(pod: Pod, nsLabels: Record<string, string>, multiplier: number, into: TopologyCounts): void {
    const seen = new Set<AffinityTerm>();
    const visit = (t: AffinityTerm) => {
      if (seen.has(t)) return;
      seen.add(t);
      if (!termMatches(t, pod, nsLabels)) return;
      const add = domainCounter(into, t.topologyKey);
      for (const [node, count] of this.byTerm.get(t)!) {
        const value = node.labels[t.topologyKey];
        if (value !== undefined) add(value, count * multiplier);
      }
    };
    const labels = pod.metadata?.labels ?? {};
    for (const k in labels) for (const t of this.byLabel.get(labelKey(k, labels[k])) ?? []) visit(t);
    for (const t of this.unindexed) visit(t);
  }
}

interface Snapshot {
  generation: number;
  requiredAnti: Map<AffinityTerm, number>;
  requiredAffinity: Map<AffinityTerm, number>;
  preferred: Map<AffinityTerm, number>;
}

export class AffinityIndex {
  readonly requiredAntiAffinity = new TermTable();
  readonly requiredAffinity = new TermTable();
  /** Preferred terms with summed weights, negative for anti-affinity. */
  readonly preferred = new TermTable();
  private nodes: readonly NodeInfo[] | undefined;
  private readonly snapshots = new Map<NodeInfo, Snapshot>();

  /** Bring the index up to date with `nodes` (the cache returns the same array until nodes change). */
  sync(nodes: readonly NodeInfo[]): void {
    if (nodes !== this.nodes) {
      const current = new Set(nodes);
      for (const n of [...this.snapshots.keys()]) if (!current.has(n)) this.reindex(n, undefined);
      this.nodes = nodes;
    }
    for (const n of nodes) {
      if (this.snapshots.get(n)?.generation !== n.affinityGeneration) this.reindex(n, n);
    }
  }

  private reindex(n: NodeInfo, now: NodeInfo | undefined): void {
    const old = this.snapshots.get(n);
    if (old) {
      for (const [t, c] of old.requiredAnti) this.requiredAntiAffinity.update(t, n, -c);
      for (const [t, c] of old.requiredAffinity) this.requiredAffinity.update(t, n, -c);
      for (const [t, w] of old.preferred) this.preferred.update(t, n, -w);
    }
    if (!now) {
      this.snapshots.delete(n);
      return;
    }
    const snap: Snapshot = {
      generation: n.affinityGeneration,
      requiredAnti: new Map(n.requiredAntiAffinityTerms),
      requiredAffinity: new Map(n.requiredAffinityTerms),
      preferred: new Map(n.preferredTermWeights),
    };
    for (const [t, c] of snap.requiredAnti) this.requiredAntiAffinity.update(t, n, c);
    for (const [t, c] of snap.requiredAffinity) this.requiredAffinity.update(t, n, c);
    for (const [t, w] of snap.preferred) this.preferred.update(t, n, w);
    this.snapshots.set(n, snap);
  }
}
