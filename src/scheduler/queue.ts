// The scheduling queue (pkg/scheduler/backend/queue PriorityQueue): activeQ (ready to try, highest
// priority then oldest first), backoffQ (failed recently, waiting out 1s doubling to 10s), unschedulable
// pods (waiting for a cluster event that may help them), and gated pods (spec.schedulingGates).
// Cluster events move unschedulable pods back only if a plugin that rejected them cares about the event;
// an event that happens while a pod is being tried is remembered, so that pod is retried, not parked.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../client/objects.js';
import type { Clock, Timer } from '../machinery/clock.js';
import type { ClusterEvent } from './framework.js';
import { Heap } from './heap.js';

type Where = 'active' | 'backoff' | 'unschedulable' | 'gated' | 'inFlight';

export interface QueuedPodInfo {
  pod: Stored<Pod>;
  uid: string;
  /** When the pod was (re)queued; orders activeQ and starts its backoff. */
  timestamp: number;
  attempts: number;
  /** Plugins that rejected it last time; empty after an error, which any event may fix. */
  unschedulablePlugins: Set<string>;
  /** The scheduling cycle that popped it. */
  cycle: number;
  where: Where;
  /** Bumped on every push so stale heap entries can be recognised. */
  gen: number;
  seq: number;
}

interface Entry {
  qpi: QueuedPodInfo;
  gen: number;
}

export interface QueueOptions {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Unschedulable pods older than this are retried even without an event (upstream: 5 min). */
  maxInUnschedulableMs: number;
  flushIntervalMs: number;
}

// Upstream starts the per-pod back-off at 1 s; 100 ms keeps a pod that waited for its claim to bind
// well under a second from creation to Running, which is what k8ts users expect of a local cluster.
export const DEFAULT_QUEUE_OPTIONS: QueueOptions = { initialBackoffMs: 100, maxBackoffMs: 10_000, maxInUnschedulableMs: 30_000, flushIntervalMs: 30_000 };

const gated = (pod: Pod) => (pod.spec?.schedulingGates?.length ?? 0) > 0;

// isPodUpdated: a change other than status, resourceVersion, generation, managedFields or finalizers.
function schedulingView(pod: Pod): string {
  const { resourceVersion: _rv, generation: _g, managedFields: _m, finalizers: _f, ...meta } = pod.metadata ?? {};
  return JSON.stringify([meta, pod.spec]);
}

export class SchedulingQueue {
  private pods = new Map<string, QueuedPodInfo>();
  private active = new Heap<Entry>((a, b) => {
    const pa = a.qpi.pod.spec?.priority ?? 0;
    const pb = b.qpi.pod.spec?.priority ?? 0;
    if (pa !== pb) return pa > pb;
    return a.qpi.timestamp !== b.qpi.timestamp ? a.qpi.timestamp < b.qpi.timestamp : a.qpi.seq < b.qpi.seq;
  });
  private backoff = new Heap<Entry>((a, b) => this.backoffExpiry(a.qpi) < this.backoffExpiry(b.qpi));
  private unschedulable = new Set<QueuedPodInfo>();
  private waiter: ((q: QueuedPodInfo | undefined) => void) | undefined;
  private backoffTimer: { at: number; timer: Timer } | undefined;
  private flushTimer: Timer | undefined;
  private closed = false;
  private seq = 0;
  /** The scheduling cycle of the latest attempt; bumped by every pop. */
  schedulingCycle = 0;
  /** The cycle during which each kind of cluster event last happened. */
  private lastEvent = new Map<ClusterEvent, number>();

  constructor(
    private clock: Clock,
    private pluginEvents: Map<string, ReadonlySet<ClusterEvent>>,
    private opts: QueueOptions = DEFAULT_QUEUE_OPTIONS,
  ) {}

  start(): void {
    const tick = () => {
      this.flushUnschedulableLeftover();
      this.flushTimer = this.clock.setTimeout(tick, this.opts.flushIntervalMs);
    };
    this.flushTimer = this.clock.setTimeout(tick, this.opts.flushIntervalMs);
  }

  close(): void {
    this.closed = true;
    this.flushTimer?.cancel();
    this.backoffTimer?.timer.cancel();
    this.waiter?.(undefined);
    this.waiter = undefined;
  }

  has(uid: string): boolean {
    return this.pods.has(uid);
  }

  /** A pod that needs scheduling appeared (or was seen again after a relist). */
  add(pod: Stored<Pod>): void {
    const q = this.pods.get(pod.metadata.uid);
    if (q) return this.update(q.pod, pod);
    const qpi: QueuedPodInfo = { pod, uid: pod.metadata.uid, timestamp: this.clock.now(), attempts: 0, unschedulablePlugins: new Set(), cycle: 0, where: 'gated', gen: 0, seq: this.seq++ };
    this.pods.set(qpi.uid, qpi);
    if (!gated(pod)) this.toActive(qpi);
  }

  update(old: Stored<Pod>, pod: Stored<Pod>): void {
    const q = this.pods.get(pod.metadata.uid);
    if (!q) return this.add(pod);
    q.pod = pod;
    if (q.where === 'gated' && !gated(pod)) this.toActive(q);
    else if (q.where === 'unschedulable' && schedulingView(old) !== schedulingView(pod)) this.requeue(q);
  }

  /** The pod no longer needs scheduling (bound, deleted, terminating). */
  delete(uid: string): void {
    const q = this.pods.get(uid);
    if (!q) return;
    this.pods.delete(uid);
    this.unschedulable.delete(q);
    q.gen++;
  }

  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const q = this.popActive();
    if (q) return Promise.resolve(q);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Waits for one pod, then takes up to `max` - 1 more that are already active. */
  async popBatch(max: number): Promise<QueuedPodInfo[]> {
    const first = await this.pop();
    if (!first) return [];
    const batch = [first];
    for (let q = batch.length < max ? this.popActive() : undefined; q; q = batch.length < max ? this.popActive() : undefined) batch.push(q);
    return batch;
  }

  private popActive(): QueuedPodInfo | undefined {
    for (let e = this.active.pop(); e; e = this.active.pop()) {
      const q = e.qpi;
      if (q.gen !== e.gen || q.where !== 'active' || this.pods.get(q.uid) !== q) continue;
      return this.startAttempt(q);
    }
    return undefined;
  }

  private startAttempt(q: QueuedPodInfo): QueuedPodInfo {
    q.gen++;
    q.where = 'inFlight';
    q.attempts++;
    q.cycle = ++this.schedulingCycle;
    return q;
  }

  /** The attempt ended with the pod bound (or gone). */
  done(uid: string): void {
    const q = this.pods.get(uid);
    if (q?.where === 'inFlight') this.delete(uid);
  }

  /** AddUnschedulableIfNotPresent: park the pod until an event relevant to `plugins` happens. */
  failed(q: QueuedPodInfo, plugins: Set<string>): void {
    if (this.pods.get(q.uid) !== q || q.where !== 'inFlight') return;
    q.timestamp = this.clock.now();
    q.unschedulablePlugins = plugins;
    const missedEvent = [...this.lastEvent].some(([ev, cycle]) => cycle >= q.cycle && this.relevant(q, ev));
    if (missedEvent || !plugins.size) this.toBackoff(q);
    else {
      q.where = 'unschedulable';
      this.unschedulable.add(q);
    }
  }

  /** MoveAllToActiveOrBackoffQueue for one cluster event; `affects` narrows it to some pods. */
  moveAll(event: ClusterEvent, affects?: (pod: Stored<Pod>) => boolean): void {
    this.lastEvent.set(event, this.schedulingCycle);
    for (const q of [...this.unschedulable]) {
      if (this.relevant(q, event) && (!affects || affects(q.pod))) this.requeue(q);
    }
  }

  private relevant(q: QueuedPodInfo, event: ClusterEvent): boolean {
    if (!q.unschedulablePlugins.size) return true;
    for (const p of q.unschedulablePlugins) if (this.pluginEvents.get(p)?.has(event)) return true;
    return false;
  }

  private backoffDuration(q: QueuedPodInfo): number {
    let d = this.opts.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      if (d > this.opts.maxBackoffMs - d) return this.opts.maxBackoffMs;
      d += d;
    }
    return d;
  }

  private backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  private requeue(q: QueuedPodInfo): void {
    this.unschedulable.delete(q);
    if (this.backoffExpiry(q) > this.clock.now()) this.toBackoff(q);
    else this.toActive(q);
  }

  private toActive(q: QueuedPodInfo): void {
    this.unschedulable.delete(q);
    q.where = 'active';
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(this.startAttempt(q));
      return;
    }
    this.active.push({ qpi: q, gen: ++q.gen });
  }

  private toBackoff(q: QueuedPodInfo): void {
    this.unschedulable.delete(q);
    q.where = 'backoff';
    this.backoff.push({ qpi: q, gen: ++q.gen });
    this.armBackoffTimer();
  }

  private armBackoffTimer(): void {
    const next = this.nextBackoff();
    if (!next) return;
    const at = this.backoffExpiry(next.qpi);
    if (this.backoffTimer && this.backoffTimer.at <= at) return;
    this.backoffTimer?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      this.backoffTimer = undefined;
      this.flushBackoffCompleted();
    }, at - this.clock.now());
    this.backoffTimer = { at, timer };
  }

  private nextBackoff(): Entry | undefined {
    for (let e = this.backoff.peek(); e; e = this.backoff.peek()) {
      if (e.gen === e.qpi.gen && e.qpi.where === 'backoff' && this.pods.get(e.qpi.uid) === e.qpi) return e;
      this.backoff.pop();
    }
    return undefined;
  }

  private flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (let e = this.nextBackoff(); e && this.backoffExpiry(e.qpi) <= now; e = this.nextBackoff()) {
      this.backoff.pop();
      this.toActive(e.qpi);
    }
    this.armBackoffTimer();
  }

  private flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    for (const q of [...this.unschedulable]) if (now - q.timestamp >= this.opts.maxInUnschedulableMs) this.requeue(q);
  }
}
