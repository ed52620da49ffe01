// NodeInfo and PodInfo (pkg/scheduler/framework/types.go): per-node aggregates kept up to date from
// informer events, so filters and scores never scan all pods.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../client/objects.js';
import { podAffinityTerms, type AffinityTerm, type PodAffinityTerms } from './plugins/affinityterm.js';
import { addResource, emptyResource, nodeAllocatable, nonZeroRequests, podRequests, type Resource } from './resources.js';
import { effectiveTaints, type Taint } from './taints.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** What the scheduler needs from a pod, computed once; the spec fields it reads are immutable. */
export interface PodInfo {
  pod: Stored<Pod>;
  uid: string;
  namespace: string;
  name: string;
  requests: Resource;
  nonZero: { milliCPU: number; memory: number };
  hostPorts: HostPort[];
  /** The controller owner (StatefulSet, ReplicaSet ...) as an interned id, used to spread its pods. */
  owner: number | undefined;
  priority: number;
  terminating: boolean;
  /** Inter-pod (anti-)affinity terms; undefined when the pod has none. */
  affinity: PodAffinityTerms | undefined;
}

const DEFAULT_BIND_ALL_HOST_IP = '0.0.0.0';

function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!(p.hostPort && p.hostPort > 0)) continue;
      out.push({ ip: p.hostIP || DEFAULT_BIND_ALL_HOST_IP, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

// Owner UIDs become small integers: map lookups on equal but distinct 36-character strings cost a string
// comparison each, and spreading looks one up for hundreds of nodes per pod. The table only grows by
// one entry per controller ever seen.
const ownerIds = new Map<string, number>();

function controllerOwner(pod: Pod): number | undefined {
  const uid: string | undefined = pod.metadata?.ownerReferences?.find((r) => r.controller)?.uid;
  if (uid === undefined) return undefined;
  let id = ownerIds.get(uid);
  if (id === undefined) {
    id = ownerIds.size + 1;
    ownerIds.set(uid, id);
  }
  return id;
}

export function newPodInfo(pod: Stored<Pod>): PodInfo {
  return {
    pod,
    uid: pod.metadata.uid,
    namespace: pod.metadata.namespace!,
    name: pod.metadata.name,
    requests: podRequests(pod),
    nonZero: nonZeroRequests(pod),
    hostPorts: hostPorts(pod),
    owner: controllerOwner(pod),
    priority: pod.spec?.priority ?? 0,
    terminating: !!pod.metadata.deletionTimestamp,
    affinity: podAffinityTerms(pod),
  };
}

/**
 * A newer object for the same pod: only metadata can have changed in ways the scheduler counts. The
 * affinity terms stay: upstream merges matchLabelKeys into them once, when the pod is created.
 */
export function refreshPodInfo(old: PodInfo, pod: Stored<Pod>): PodInfo {
  return { ...old, pod, owner: controllerOwner(pod), terminating: !!pod.metadata.deletionTimestamp };
}

/**
 * An interned predicate over pods (plugins/podmatcher.ts). `labelKeys`, when set, says the predicate is
 * exactly "labelled with one of these labelCountKey()s", which NodeInfo answers from label counts.
 */
export interface PodMatcher {
  test(p: PodInfo): boolean;
  labelKeys?: readonly string[];
}

export const labelCountKey = (namespace: string, key: string, value: string) => `${namespace}\0${key}\0${value}`;

function bump<K>(m: Map<K, number>, k: K, by: number): void {
  const n = (m.get(k) ?? 0) + by;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}

export class NodeInfo {
  node: Stored<Node> | undefined;
  allocatable: Resource = emptyResource();
  taints: Taint[] = [];
  readonly pods = new Map<string, PodInfo>();
  /** Interned affinity terms of the pods here → pods with the term (required anti-affinity and affinity). */
  readonly requiredAntiAffinityTerms = new Map<AffinityTerm, number>();
  readonly requiredAffinityTerms = new Map<AffinityTerm, number>();
  /** Interned preferred terms of the pods here → summed weight, negative for anti-affinity. */
  readonly preferredTermWeights = new Map<AffinityTerm, number>();
  /** Namespace, label key and value → pods here labelled so. */
  private readonly labelCounts = new Map<string, number>();
  /** Bumped whenever a pod with affinity terms comes or goes (plugins/affinityindex.ts). */
  affinityGeneration = 0;
  /** Bumped whenever the pods here change, to invalidate matchCounts. */
  private generation = 0;
  private readonly matchCounts = new WeakMap<PodMatcher, { generation: number; count: number }>();
  readonly requested: Resource = emptyResource();
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 };
  /** "TCP/8080" → host IP → number of pods using it. */
  private readonly usedPorts = new Map<string, Map<string, number>>();
  /** Controller owner → pods of that controller here that are not terminating. */
  private readonly ownerCounts = new Map<number, number>();
  private readonly priorityCounts = new Map<number, number>();

  constructor(readonly name: string) {}

  setNode(node: Stored<Node>): void {
    const old = this.node;
    this.node = node;
    if (!old || !sameRecord(old.status?.allocatable, node.status?.allocatable)) this.allocatable = nodeAllocatable(node);
    this.taints = effectiveTaints(node);
  }

  get labels(): Record<string, string> {
    return this.node?.metadata?.labels ?? {};
  }

  addPod(p: PodInfo): void {
    this.pods.set(p.uid, p);
    this.account(p, 1);
  }

  removePod(uid: string): PodInfo | undefined {
    const p = this.pods.get(uid);
    if (!p) return undefined;
    this.pods.delete(uid);
    this.account(p, -1);
    return p;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    addResource(this.requested, p.requests, sign);
    this.nonZeroRequested.milliCPU += sign * p.nonZero.milliCPU;
    this.nonZeroRequested.memory += sign * p.nonZero.memory;
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      const ips = this.usedPorts.get(k) ?? new Map<string, number>();
      bump(ips, hp.ip, sign);
      if (ips.size) this.usedPorts.set(k, ips);
      else this.usedPorts.delete(k);
    }
    if (p.owner !== undefined && !p.terminating) bump(this.ownerCounts, p.owner, sign);
    bump(this.priorityCounts, p.priority, sign);
    this.generation++;
    const labels = p.pod.metadata.labels;
    if (labels) for (const k in labels) bump(this.labelCounts, labelCountKey(p.namespace, k, labels[k]), sign);
    const a = p.affinity;
    if (!a) return;
    this.affinityGeneration++;
    for (const t of a.requiredAntiAffinity) bump(this.requiredAntiAffinityTerms, t, sign);
    for (const t of a.requiredAffinity) bump(this.requiredAffinityTerms, t, sign);
    for (const w of a.preferredAffinity) bump(this.preferredTermWeights, w.term, sign * w.weight);
    for (const w of a.preferredAntiAffinity) bump(this.preferredTermWeights, w.term, -sign * w.weight);
  }

  /** How many pods here `m` matches, recounted only when the pods here changed since last asked. */
  countMatching(m: PodMatcher): number {
    if (m.labelKeys) {
      let n = 0;
      for (const k of m.labelKeys) n += this.labelCounts.get(k) ?? 0;
      return n;
    }
    const memo = this.matchCounts.get(m);
    if (memo && memo.generation === this.generation) return memo.count;
    let count = 0;
    for (const p of this.pods.values()) if (m.test(p)) count++;
    this.matchCounts.set(m, { generation: this.generation, count });
    return count;
  }

  /** HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every IP on the same protocol and port. */
  portConflict(hp: HostPort): boolean {
    const ips = this.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!ips) return false;
    if (hp.ip === DEFAULT_BIND_ALL_HOST_IP) return true;
    return ips.has(DEFAULT_BIND_ALL_HOST_IP) || ips.has(hp.ip);
  }

  ownerCount(owner: number): number {
    return this.ownerCounts.get(owner) ?? 0;
  }

  hasPodBelowPriority(priority: number): boolean {
    for (const p of this.priorityCounts.keys()) if (p < priority) return true;
    return false;
  }

  /** A copy without the pods `drop` selects, for asking "would it fit if these were gone?". */
  without(drop: (p: PodInfo) => boolean): NodeInfo {
    const copy = new NodeInfo(this.name);
    copy.node = this.node;
    copy.allocatable = this.allocatable;
    copy.taints = this.taints;
    for (const p of this.pods.values()) if (!drop(p)) copy.addPod(p);
    return copy;
  }
}

export function sameRecord(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => a![k] === b?.[k]);
}
