// The DaemonSet controller (pkg/controller/daemon/daemon_controller.go): watches sets, pods, nodes and
// revisions, and per set keeps one daemon pod on every node that should run one, rolls out template
// changes (update.go) and writes status.

import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import type { Clock, Timer } from '../../machinery/clock.js';
import { fromLabelSelector, matches, type Selector } from '../../machinery/labels.js';
import { deepEqual } from '../../machinery/objects.js';
import type { Controller, ControllerContext } from '../context.js';
import { getControllerOf, isPodReady } from '../controller_utils.js';
import { DaemonSetSync } from './daemonset_sync.js';
import { DAEMON_SET_KIND } from './daemonset_history.js';
import { Expectations } from './expectations.js';
import { nodeShouldRunDaemonPod } from './node_should_run.js';

/** kube-controller-manager's --concurrent-daemonset-syncs default. */
const WORKERS = 2;
/** How often stale failed-pod back-off entries are dropped (BackoffGCInterval). */
const BACKOFF_GC_MS = 60_000;

const keyOf = (obj: { metadata?: { namespace?: string; name?: string } }): string => `${obj.metadata?.namespace}/${obj.metadata?.name}`;

export class DaemonSetController implements Controller {
  private queue: WorkQueue;
  private sets: Informer<DaemonSet>;
  private pods: Informer<Pod>;
  private nodes: Informer<Node>;
  private revisions: Informer<ControllerRevision>;
  private expectations: Expectations;
  private syncer: DaemonSetSync;
  private clock: Clock;
  private recorder: EventRecorder;
  private gcTimer: Timer | undefined;
  private stopped = false;

  constructor(ctx: ControllerContext) {
    const client: Client = ctx.client;
    this.clock = ctx.clock;
    this.recorder = ctx.recorder('daemonset-controller');
    this.queue = new WorkQueue(ctx.clock, { name: 'daemonset' });
    this.sets = ctx.informers.get(REFS.daemonsets);
    this.pods = ctx.informers.get(REFS.pods);
    this.nodes = ctx.informers.get(REFS.nodes);
    this.revisions = ctx.informers.get(REFS.controllerrevisions);
    this.expectations = new Expectations(ctx.clock);
    this.syncer = new DaemonSetSync({
      client,
      clock: ctx.clock,
      recorder: this.recorder,
      pods: this.pods,
      revisions: this.revisions,
      expectations: this.expectations,
      enqueueAfter: (ds, ms) => this.enqueue(ds, ms),
    });
    this.sets.addHandler({ add: (ds) => this.enqueue(ds), update: (_old, cur) => this.enqueue(cur), delete: (ds) => this.enqueue(ds) });
    this.pods.addHandler({ add: (p) => this.addPod(p), update: (o, c) => this.updatePod(o, c), delete: (p) => this.deletePod(p) });
    this.nodes.addHandler({ add: (n) => this.addNode(n), update: (o, c) => this.updateNode(o, c), delete: () => this.enqueueAll() });
    this.revisions.addHandler({ add: (r) => this.onRevision(r), update: (_o, c) => this.onRevision(c), delete: (r) => this.onRevision(r) });
  }

  start(): void {
    void Promise.all([this.sets, this.pods, this.nodes, this.revisions].map((i) => i.waitForSync())).then(() => {
      if (this.stopped) return;
      runWorkers(this.queue, WORKERS, (key) => this.sync(key));
      this.scheduleBackoffGC();
    });
  }

  stop(): void {
    this.stopped = true;
    this.gcTimer?.cancel();
    this.queue.shutdown();
  }

  private scheduleBackoffGC(): void {
    this.gcTimer = this.clock.setTimeout(() => {
      this.syncer.failedPodsBackoff.gc();
      this.scheduleBackoffGC();
    }, BACKOFF_GC_MS);
  }

  private enqueue(ds: DaemonSet, afterMs = 0): void {
    this.queue.addAfter(keyOf(ds), afterMs);
  }

  private enqueueAll(): void {
    for (const ds of this.sets.list()) this.enqueue(ds);
  }

  private resolveControllerRef(namespace: string, ref: OwnerReference): DaemonSet | undefined {
    if (ref.kind !== DAEMON_SET_KIND.kind) return undefined;
    const ds: DaemonSet | undefined = this.sets.getByName(namespace, ref.name);
    return ds?.metadata?.uid === ref.uid ? ds : undefined;
  }

  /** Sets in the object's namespace whose (non-empty) selector matches its labels. */
  private setsSelecting(obj: Pod | ControllerRevision): DaemonSet[] {
    return this.sets.byIndex('namespace', obj.metadata?.namespace ?? '').filter((ds: DaemonSet) => {
      try {
        const sel: Selector = fromLabelSelector(ds.spec?.selector);
        return sel.length > 0 && matches(sel, obj.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  private addPod(pod: Pod): void {
    // A pod already being deleted when first seen (controller restart) counts as a deletion.
    if (pod.metadata?.deletionTimestamp) return this.deletePod(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const ds = this.resolveControllerRef(pod.metadata!.namespace!, ref);
      if (!ds) return;
      this.expectations.creationObserved(keyOf(ds));
      this.enqueue(ds);
      return;
    }
    for (const ds of this.setsSelecting(pod)) this.enqueue(ds);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (cur.metadata?.resourceVersion === old.metadata?.resourceVersion) return;
    // A graceful deletion starts with the timestamp; replacing the pod need not wait for it to go.
    if (cur.metadata?.deletionTimestamp) return this.deletePod(cur);
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !deepEqual(curRef, oldRef);
    if (refChanged && oldRef) {
      const ds = this.resolveControllerRef(old.metadata!.namespace!, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata!.namespace!, curRef);
      if (!ds) return;
      this.enqueue(ds);
      const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReadySeconds > 0) this.enqueue(ds, minReadySeconds * 1000 + 1000);
      return;
    }
    if (refChanged || !deepEqual(cur.metadata?.labels, old.metadata?.labels)) for (const ds of this.setsSelecting(cur)) this.enqueue(ds);
  }

  private deletePod(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const ds = this.resolveControllerRef(pod.metadata!.namespace!, ref);
    if (!ds) return;
    this.expectations.deletionObserved(keyOf(ds), keyOf(pod));
    this.enqueue(ds);
  }

  private addNode(node: Node): void {
    for (const ds of this.sets.list()) if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(ds);
  }

  private updateNode(old: Node, cur: Node): void {
    if (shouldIgnoreNodeUpdate(old, cur)) return;
    for (const ds of this.sets.list()) {
      const a = nodeShouldRunDaemonPod(old, ds);
      const b = nodeShouldRunDaemonPod(cur, ds);
      if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(ds);
    }
  }

  private onRevision(r: ControllerRevision): void {
    const ref = getControllerOf(r);
    if (ref) {
      const ds = this.resolveControllerRef(r.metadata!.namespace!, ref);
      if (ds) this.enqueue(ds);
      return;
    }
    for (const ds of this.setsSelecting(r)) this.enqueue(ds);
  }

  private async sync(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const ds: DaemonSet | undefined = this.sets.getByName(key.slice(0, slash), key.slice(slash + 1));
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    await this.syncer.syncDaemonSet(key, ds, this.nodes.list());
  }
}

/** shouldIgnoreNodeUpdate: the same True conditions, and nothing else changed but resourceVersion and conditions. */
function shouldIgnoreNodeUpdate(old: Node, cur: Node): boolean {
  const condStatus = (n: Node) => [...new Set((n.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type))].sort();
  if (!deepEqual(condStatus(old), condStatus(cur))) return false;
  const strip = (n: Node) => ({ ...n, metadata: { ...n.metadata, resourceVersion: undefined }, status: { ...n.status, conditions: undefined } });
  return deepEqual(strip(old), strip(cur));
}
