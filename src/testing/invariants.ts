// Safety invariants checked over a cluster's watch event stream (pods, nodes, policy/v1 PDBs, StatefulSets),
// fed in resourceVersion order. Pure: time comes from the `now` it is given, events from `observe`.

import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { fromLabelSelector, matches } from '../machinery/labels.js';

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** Needs `kind` (Pod, Node, PodDisruptionBudget, StatefulSet); the feeder sets it when a transport leaves it out. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects of four kinds, narrowed by kind
  object: any;
}

export type InvariantName = 'StatefulSetAtMostOne' | 'DisruptionBudget' | 'NoScheduleTaint' | 'NoExecuteTaint';

export interface SeenEvent {
  seq: number;
  /** Event-stream time (the checker's clock) when it was observed. */
  at: number;
  type: WatchEvent['type'];
  kind: string;
  key: string;
  resourceVersion: string;
  summary: string;
}

export interface Violation {
  invariant: InvariantName;
  message: string;
  at: number;
  /** The last events (up to `eventsPerViolation`) about the objects involved, oldest first. */
  events: SeenEvent[];
}

export interface CheckerOptions {
  /** Time allowed past a NoExecute taint's tolerationSeconds before the pod must be marked for deletion. */
  noExecuteSlackMs?: number;
  now?: () => number;
  eventsPerViolation?: number;
}

/** The annotation a simulation sets on a node it has taken down (its kubelet cannot confirm anything). */
export const DOWN_ANNOTATION = 'sim.k8ts.io/down';
const HISTORY = 2000;
const key = (kind: string, ns: string | undefined, name: string) => `${kind}:${ns ? ns + '/' : ''}${name}`;

/** A pod removed from the API while its node could not confirm it stopped. */
interface Ghost {
  pod: Pod;
  identity: string;
  node: string;
}

/** A NoExecute taint a bound pod does not tolerate forever: the pod must be marked for deletion by `deadline`. */
interface Eviction {
  pod: string;
  node: string;
  taint: string;
  deadline: number;
  seconds: number;
}

export class InvariantChecker {
  private readonly slack: number;
  private readonly now: () => number;
  private readonly perViolation: number;
  private pods = new Map<string, Pod>();
  private nodes = new Map<string, Node>();
  private pdbs = new Map<string, PodDisruptionBudget>();
  private ghosts: Ghost[] = [];
  /** Pod key → when it was first seen bound (starts a NoExecute clock for taints older than the binding). */
  private boundAt = new Map<string, number>();
  /** Node/taint → when first seen, for taints without timeAdded. */
  private taintSeen = new Map<string, number>();
  private evictions = new Map<string, Eviction>();
  private history: SeenEvent[] = [];
  private seq = 0;
  private found: Violation[] = [];
  private reported = new Set<string>();

  constructor(opts: CheckerOptions = {}) {
    this.slack = opts.noExecuteSlackMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.perViolation = opts.eventsPerViolation ?? 20;
  }

  observe(ev: WatchEvent): void {
    const obj = ev.object;
    const kind: string = obj?.kind ?? '';
    const meta = obj?.metadata ?? {};
    const k = key(kind, meta.namespace, meta.name);
    // Deadlines that passed before this event count even if this event is the one that meets them.
    this.checkDeadlines();
    this.history.push({ seq: ++this.seq, at: this.now(), type: ev.type, kind, key: k, resourceVersion: meta.resourceVersion ?? '', summary: summarize(kind, obj) });
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    if (kind === 'Pod') this.onPod(ev.type, k, obj as Pod);
    else if (kind === 'Node') this.onNode(ev.type, obj as Node);
    else if (kind === 'PodDisruptionBudget') {
      if (ev.type === 'DELETED') this.pdbs.delete(k);
      else this.pdbs.set(k, obj);
    }
    this.checkDeadlines();
  }

  /** Everything found so far, including NoExecute deadlines that have passed by now. */
  violations(): Violation[] {
    this.checkDeadlines();
    return [...this.found];
  }

  first(): Violation | undefined {
    return this.violations()[0];
  }

  assertNone(): void {
    const all = this.violations();
    if (all.length === 0) return;
    const v = all[0];
    const lines = v.events.map((e) => `  #${e.seq} rv=${e.resourceVersion} ${e.type} ${e.key} ${e.summary}`);
    const more = all.length > 1 ? `\n(${all.length - 1} more: ${all.slice(1).map((x) => x.invariant).join(', ')})` : '';
    throw new Error(`invariant ${v.invariant} violated: ${v.message}\nevents leading to it:\n${lines.join('\n')}${more}`);
  }

  private onPod(type: WatchEvent['type'], k: string, pod: Pod): void {
    const before = this.pods.get(k);
    if (type === 'DELETED') {
      this.pods.delete(k);
      this.boundAt.delete(k);
      for (const [ek, e] of this.evictions) if (e.pod === k) this.evictions.delete(ek);
      // The DELETED object is the pod's last stored state: its status is the last one its node reported.
      this.checkEviction(before, pod);
      this.maybeGhost(pod);
      return;
    }
    this.pods.set(k, pod);
    const node = pod.spec?.nodeName;
    if (node && !before?.spec?.nodeName) {
      this.boundAt.set(k, this.now());
      this.checkBinding(k, pod, node);
    }
    this.checkEviction(before, pod);
    if (possiblyRunning(pod)) this.checkIdentity(k, pod);
    this.trackNoExecute(k, pod);
  }

  private onNode(type: WatchEvent['type'], node: Node): void {
    const name = node.metadata?.name ?? '';
    if (type === 'DELETED') {
      this.nodes.delete(name);
      this.ghosts = this.ghosts.filter((g) => g.node !== name);
      for (const [ek, e] of this.evictions) if (e.node === name) this.evictions.delete(ek);
      return;
    }
    this.nodes.set(name, node);
    if (nodeReady(node)) this.ghosts = this.ghosts.filter((g) => g.node !== name);
    for (const t of node.spec?.taints ?? []) {
      const tk = `${name}|${taintId(t)}`;
      if (!this.taintSeen.has(tk)) this.taintSeen.set(tk, this.now());
    }
    for (const [pk, pod] of this.pods) if (pod.spec?.nodeName === name) this.trackNoExecute(pk, pod);
  }

  /** Invariant 1: a pod deleted while its node was not Ready may still run there. */
  private maybeGhost(pod: Pod): void {
    const identity = statefulSetIdentity(pod);
    const nodeName = pod.spec?.nodeName;
    if (!identity || !nodeName || !possiblyRunning(pod) || allContainersTerminated(pod)) return;
    const node = this.nodes.get(nodeName);
    if (!node || nodeReady(node)) return;
    this.ghosts.push({ pod, identity, node: nodeName });
  }

  private checkIdentity(k: string, pod: Pod): void {
    const identity = statefulSetIdentity(pod);
    if (!identity) return;
    for (const g of this.ghosts) {
      if (g.identity !== identity || g.pod.metadata?.uid === pod.metadata?.uid) continue;
      const name = pod.metadata?.name;
      this.report(
        'StatefulSetAtMostOne',
        `${identity}: pod ${name} (uid ${pod.metadata?.uid}) runs on ${pod.spec?.nodeName} while pod ${g.pod.metadata?.name} (uid ${g.pod.metadata?.uid}), deleted while node ${g.node} was not Ready, may still run there`,
        `${g.pod.metadata?.uid}|${pod.metadata?.uid}`,
        [k, key('Node', undefined, g.node), key('Node', undefined, pod.spec?.nodeName ?? ''), ...ownerKeys(pod)],
      );
    }
  }

  /** Invariant 2: an eviction must not take a budget's healthy pods below desiredHealthy. */
  private checkEviction(before: Pod | undefined, pod: Pod): void {
    if (!pod.metadata?.deletionTimestamp || before?.metadata?.deletionTimestamp || !evictedByApi(pod)) return;
    // An unhealthy pod is evictable whatever the budget (upstream IfHealthyBudget/AlwaysAllow): only a healthy one counts.
    if (before && !healthy(before)) return;
    const ns = pod.metadata.namespace;
    for (const [pk, pdb] of this.pdbs) {
      if (pdb.metadata?.namespace !== ns || !selects(pdb, pod)) continue;
      const desired = desiredHealthy(pdb);
      if (desired === undefined) continue;
      const selected = [...this.pods.values()].filter((p) => p.metadata?.namespace === ns && selects(pdb, p));
      const current = selected.filter(healthy).length;
      if (current >= desired) continue;
      const podKey = key('Pod', ns, pod.metadata.name ?? '');
      this.report(
        'DisruptionBudget',
        `eviction of ${ns}/${pod.metadata.name} left PodDisruptionBudget ${pdb.metadata?.name} with ${current} healthy pods, below desiredHealthy ${desired}`,
        `${pk}|${pod.metadata.uid}`,
        [pk, podKey, ...selected.map((p) => key('Pod', ns, p.metadata?.name ?? ''))],
      );
    }
  }

  /** Invariant 3a: binding onto a node with a NoSchedule/NoExecute taint the pod does not tolerate. */
  private checkBinding(k: string, pod: Pod, nodeName: string): void {
    const node = this.nodes.get(nodeName);
    if (!node) return;
    const bad = (node.spec?.taints ?? []).filter((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(pod.spec?.tolerations, t));
    if (bad.length === 0) return;
    this.report(
      'NoScheduleTaint',
      `pod ${pod.metadata?.namespace}/${pod.metadata?.name} was bound to node ${nodeName} whose taint${bad.length > 1 ? 's' : ''} ${bad.map(taintId).join(', ')} it does not tolerate`,
      `${pod.metadata?.uid}|${nodeName}`,
      [k, key('Node', undefined, nodeName)],
    );
  }

  /** Invariant 3b: start (or drop) the clock of each NoExecute taint on the pod's node it does not tolerate forever. */
  private trackNoExecute(k: string, pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    for (const [ek, e] of this.evictions) if (e.pod === k) this.evictions.delete(ek);
    if (!nodeName || pod.metadata?.deletionTimestamp) return;
    const node = this.nodes.get(nodeName);
    for (const t of node?.spec?.taints ?? []) {
      if (t.effect !== 'NoExecute') continue;
      const seconds = tolerationSeconds(pod.spec?.tolerations, t);
      if (seconds === undefined) continue;
      const tk = `${nodeName}|${taintId(t)}`;
      const added = t.timeAdded ? Date.parse(t.timeAdded) : (this.taintSeen.get(tk) ?? this.now());
      const start = Math.max(added, this.boundAt.get(k) ?? added);
      this.evictions.set(`${k}|${tk}`, { pod: k, node: nodeName, taint: taintId(t), seconds, deadline: start + seconds * 1000 + this.slack });
    }
  }

  private checkDeadlines(): void {
    const now = this.now();
    for (const [ek, e] of this.evictions) {
      if (now <= e.deadline) continue;
      this.evictions.delete(ek);
      this.report(
        'NoExecuteTaint',
        `pod ${e.pod.slice('Pod:'.length)} was not marked for deletion within ${e.seconds}s (+${this.slack / 1000}s slack) of NoExecute taint ${e.taint} on node ${e.node}`,
        ek,
        [e.pod, key('Node', undefined, e.node)],
      );
    }
  }

  private report(invariant: InvariantName, message: string, dedup: string, involved: string[]): void {
    const id = `${invariant}|${dedup}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    const keys = new Set(involved);
    const events = this.history.filter((e) => keys.has(e.key)).slice(-this.perViolation);
    this.found.push({ invariant, message, at: this.now(), events });
  }
}

/** `namespace/statefulset/ordinal` from the controller ownerReference and the pod name's ordinal suffix. */
export function statefulSetIdentity(pod: Pod): string | undefined {
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'StatefulSet');
  const name = pod.metadata?.name ?? '';
  if (!owner || !name.startsWith(owner.name + '-')) return undefined;
  const ordinal = name.slice(owner.name.length + 1);
  if (!/^\d+$/.test(ordinal)) return undefined;
  return `${pod.metadata?.namespace}/${owner.name}/${ordinal}`;
}

/**
 * Bound and not terminal, whatever the phase says: a kubelet may start a bound pod's containers before it
 * reports Running, so "possibly running" begins at binding.
 */
export function possiblyRunning(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !!pod.spec?.nodeName && phase !== 'Succeeded' && phase !== 'Failed';
}

function allContainersTerminated(pod: Pod): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  return statuses.length > 0 && statuses.every((s) => s.state?.terminated);
}

/** Ready=True and not annotated down; a missing Ready condition counts as Unknown. */
export function nodeReady(node: Node): boolean {
  if (node.metadata?.annotations?.[DOWN_ANNOTATION] === 'true') return false;
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

function healthy(pod: Pod): boolean {
  return !pod.metadata?.deletionTimestamp && pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

function evictedByApi(pod: Pod): boolean {
  const c = pod.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
  return c?.status === 'True' && c.reason === 'EvictionByEvictionAPI';
}

/** policy/v1: a null selector selects nothing, an empty one everything. */
function selects(pdb: PodDisruptionBudget, pod: Pod): boolean {
  const sel = pdb.spec?.selector;
  if (sel === undefined || sel === null) return false;
  return matches(fromLabelSelector(sel), pod.metadata?.labels);
}

/** status.desiredHealthy once the controller computed it; before that, an integer minAvailable (percentages need the scale). */
function desiredHealthy(pdb: PodDisruptionBudget): number | undefined {
  if (pdb.status && typeof pdb.status.desiredHealthy === 'number' && pdb.status.observedGeneration !== undefined) return pdb.status.desiredHealthy;
  const min = pdb.spec?.minAvailable;
  return typeof min === 'number' ? min : undefined;
}

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  if (!t.operator || t.operator === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

function tolerated(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/**
 * Seconds a pod may stay under a NoExecute taint: 0 when no toleration matches, undefined (forever) when the
 * first matching one has no tolerationSeconds; negative values count as 0, as in the taint eviction controller.
 */
export function tolerationSeconds(tolerations: Toleration[] | undefined, taint: Taint): number | undefined {
  const t = (tolerations ?? []).find((x) => toleratesTaint(x, taint));
  if (!t) return 0;
  if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) return undefined;
  return Math.max(0, t.tolerationSeconds);
}

function taintId(t: Taint): string {
  return `${t.key}${t.value ? '=' + t.value : ''}:${t.effect}`;
}

function ownerKeys(pod: Pod): string[] {
  return (pod.metadata?.ownerReferences ?? []).filter((r) => r.kind === 'StatefulSet').map((r) => key('StatefulSet', pod.metadata?.namespace, r.name));
}

function summarize(kind: string, o: WatchEvent['object']): string {
  if (kind === 'Pod') {
    const ready = o.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status ?? '-';
    const dt = o.status?.conditions?.find((c: { type: string }) => c.type === 'DisruptionTarget');
    return [`uid=${o.metadata?.uid}`, `phase=${o.status?.phase ?? '-'}`, `node=${o.spec?.nodeName ?? '-'}`, `ready=${ready}`, o.metadata?.deletionTimestamp ? 'deleting' : '', dt ? `DisruptionTarget=${dt.status}/${dt.reason ?? ''}` : ''].filter(Boolean).join(' ');
  }
  if (kind === 'Node') {
    const ready = o.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status ?? '-';
    const down = o.metadata?.annotations?.[DOWN_ANNOTATION] === 'true' ? ' down' : '';
    const taints = (o.spec?.taints ?? []).map(taintId).join(',');
    return `ready=${ready}${down}${taints ? ' taints=' + taints : ''}`;
  }
  if (kind === 'PodDisruptionBudget') return `desiredHealthy=${o.status?.desiredHealthy ?? '-'} currentHealthy=${o.status?.currentHealthy ?? '-'} minAvailable=${o.spec?.minAvailable ?? '-'}`;
  if (kind === 'StatefulSet') return `replicas=${o.spec?.replicas ?? '-'} ready=${o.status?.readyReplicas ?? 0}`;
  return '';
}
