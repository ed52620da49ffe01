// Processed inter-pod (anti-)affinity terms (framework/types.go AffinityTerm), parsed once per pod.
// A nil labelSelector or namespaceSelector matches nothing, an empty one everything. Terms default to
// the owning pod's namespace when they name neither namespaces nor a namespaceSelector.

import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { fromLabelSelector, matches, type Labels, type Selector } from '../../machinery/labels.js';
import { labelCountKey, type PodMatcher } from '../nodeinfo.js';
import { internMatcher } from './podmatcher.js';

export interface AffinityTerm {
  /** Identifies equal terms: they are interned, so per-node counts can be kept and shared by term. */
  key: string;
  namespaces: ReadonlySet<string>;
  /** Null matches nothing. */
  nsSelector: Selector | null;
  /** Null matches nothing. */
  selector: Selector | null;
  topologyKey: string;
}

export interface WeightedAffinityTerm {
  term: AffinityTerm;
  weight: number;
}

export interface PodAffinityTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
}

// Pods of one workload carry equal terms; sharing one object per distinct term keeps per-term counts
// small. The table is dropped when it grows large (terms built from per-pod label values): terms
// already handed out stay valid, they are just no longer shared.
const MAX_INTERNED = 10_000;
const interned = new Map<string, AffinityTerm>();

export function internTerm(t: Omit<AffinityTerm, 'key'>): AffinityTerm {
  const key = [t.topologyKey, [...t.namespaces].sort().join(','), JSON.stringify(t.nsSelector), JSON.stringify(t.selector)].join('\n');
  let found = interned.get(key);
  if (!found) {
    if (interned.size >= MAX_INTERNED) interned.clear();
    found = { key, ...t };
    interned.set(key, found);
  }
  return found;
}

const selectorOf = (ls: LabelSelector | undefined | null): Selector | null => (ls ? fromLabelSelector(ls) : null);

// matchLabelKeys / mismatchLabelKeys become `key in (v)` / `key notin (v)` with the owning pod's
// values, as the API server does on pod creation (MatchLabelKeysInPodAffinity); a nil selector stays nil.
function termSelector(term: PodAffinityTerm, labels: Record<string, string>): Selector | null {
  const sel = selectorOf(term.labelSelector);
  if (!sel) return null;
  for (const key of term.matchLabelKeys ?? []) if (key in labels) sel.push({ key, op: 'in', values: [labels[key]] });
  for (const key of term.mismatchLabelKeys ?? []) if (key in labels) sel.push({ key, op: 'notin', values: [labels[key]] });
  return sel;
}

function newTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
  const names: string[] = term.namespaces ?? [];
  const namespaces = new Set(!names.length && !term.namespaceSelector ? [pod.metadata!.namespace!] : names);
  return internTerm({ namespaces, nsSelector: selectorOf(term.namespaceSelector), selector: termSelector(term, pod.metadata?.labels ?? {}), topologyKey: term.topologyKey });
}

const weighted = (pod: Pod, terms: WeightedPodAffinityTerm[] | undefined): WeightedAffinityTerm[] =>
  (terms ?? []).map((t) => ({ term: newTerm(pod, t.podAffinityTerm), weight: t.weight }));

/** The pod's terms; undefined when it has neither podAffinity nor podAntiAffinity. */
export function podAffinityTerms(pod: Pod): PodAffinityTerms | undefined {
  const a = pod.spec?.affinity;
  if (!a?.podAffinity && !a?.podAntiAffinity) return undefined;
  return {
    requiredAffinity: (a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => newTerm(pod, t)),
    requiredAntiAffinity: (a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => newTerm(pod, t)),
    preferredAffinity: weighted(pod, a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: weighted(pod, a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
  };
}

/** AffinityTerm.Matches: the pod's namespace is named or its labels `nsLabels` are selected, and its labels match. */
export function termMatches(t: AffinityTerm, pod: Pod, nsLabels: Labels): boolean {
  if (!t.namespaces.has(pod.metadata!.namespace!) && !(t.nsSelector && matches(t.nsSelector, nsLabels ?? {}))) return false;
  return !!t.selector && matches(t.selector, pod.metadata?.labels);
}

/** "In these namespaces with key=value", when that is all the term asks (PodMatcher.labelKeys). */
function singleLabel(t: AffinityTerm): string[] | undefined {
  const sel = t.selector;
  if (t.nsSelector || sel?.length !== 1) return undefined;
  const r = sel[0];
  if ((r.op !== '=' && r.op !== 'in') || r.values.length !== 1) return undefined;
  return [...t.namespaces].map((ns) => labelCountKey(ns, r.key, r.values[0]));
}

/** The interned PodMatcher for a term of the incoming pod (namespaceSelector already unrolled). */
export const termMatcher = (t: AffinityTerm): PodMatcher => internMatcher(`term\n${t.key}`, (p) => termMatches(t, p.pod, undefined), singleLabel(t));

export interface NamespaceLister {
  get(name: string): { metadata?: { name?: string; labels?: Record<string, string> } } | undefined;
  list(): ReadonlyArray<{ metadata?: { name?: string; labels?: Record<string, string> } }>;
}

/**
 * mergeAffinityTermNamespacesIfNotEmpty, for the incoming pod's terms: a non-empty namespaceSelector is
 * unrolled into the namespaces it selects now, so matching existing pods needs no namespace lookups.
 */
export function mergeNamespaces(t: AffinityTerm, namespaces: NamespaceLister | undefined): AffinityTerm {
  const sel = t.nsSelector;
  if (!sel || !sel.length) return t;
  const names = new Set(t.namespaces);
  for (const ns of namespaces?.list() ?? []) if (matches(sel, ns.metadata?.labels ?? {})) names.add(ns.metadata!.name!);
  return internTerm({ namespaces: names, nsSelector: null, selector: t.selector, topologyKey: t.topologyKey });
}

export const namespaceLabels = (namespaces: NamespaceLister | undefined, name: string): Record<string, string> =>
  namespaces?.get(name)?.metadata?.labels ?? {};

/** Topology key → topology value → count (upstream's topologyToMatchedTermCount, nested for cheap lookups). */
export type TopologyCounts = Map<string, Map<string, number>>;

/** Adds to one topology key's counts; the key's map is created on first use, so unused keys stay absent. */
export function domainCounter(m: TopologyCounts, key: string): (value: string, by: number) => void {
  let values: Map<string, number> | undefined;
  return (value, by) => {
    // Another counter for the same key may have created the map meanwhile.
    values ??= m.get(key);
    if (!values) {
      values = new Map();
      m.set(key, values);
    }
    values.set(value, (values.get(value) ?? 0) + by);
  };
}

export const countAt = (m: TopologyCounts, key: string, value: string): number => m.get(key)?.get(value) ?? 0;
