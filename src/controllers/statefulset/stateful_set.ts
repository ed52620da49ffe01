// The StatefulSet controller (pkg/controller/statefulset/stateful_set.go): watches sets and pods, adopts and
// releases pods and revisions, and runs one sync per set key through StatefulSetControl.

import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import type { Clock, Timer } from '../../machinery/clock.js';
import { fromLabelSelector, matches, type Selector } from '../../machinery/labels.js';
import { deepEqual } from '../../machinery/objects.js';
import type { Controller, ControllerContext } from '../context.js';
import { PodControllerRefManager, recheckDeletionTimestamp, type PodPatcher } from '../controller_ref_manager.js';
import { getControllerOf, isPodReady } from '../controller_utils.js';
import { History } from '../history/controller_history.js';
import { StatefulPodControl } from './stateful_pod_control.js';
import { AggregatedErrors, StatefulSetControl } from './stateful_set_control.js';
import { StatefulSetStatusUpdater } from './stateful_set_status_updater.js';
import { getReplicas, isMemberOf, STATEFUL_SET_KIND } from './stateful_set_utils.js';

/** kube-controller-manager's --concurrent-statefulset-syncs default. */
const WORKERS = 5;

/** Every set is synced at least this often (statefulSetResyncPeriod), which is what notices claims the garbage collector removed. */
const RESYNC_MS = 30_000;

const keyOf = (obj: { metadata?: { namespace?: string; name?: string } }): string => `${obj.metadata?.namespace}/${obj.metadata?.name}`;

export class StatefulSetController implements Controller {
  private client: Client;
  private queue: WorkQueue;
  private sets: Informer<StatefulSet>;
  private pods: Informer<Pod>;
  private informers: Array<{ waitForSync(): Promise<void> }>;
  private control: StatefulSetControl;
  private clock: Clock;
  private resyncTimer: Timer | undefined;
  private stopped = false;
  private podPatcher: PodPatcher = {
    patchPod: (namespace, name, patch) => this.client.resource(REFS.pods).patch(namespace, name, 'strategic', patch),
  };

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.queue = new WorkQueue(ctx.clock, { name: 'statefulset' });
    this.sets = ctx.informers.get(REFS.statefulsets);
    this.pods = ctx.informers.get(REFS.pods);
    const claims = ctx.informers.get(REFS.persistentvolumeclaims);
    const revisions = ctx.informers.get(REFS.controllerrevisions);
    this.informers = [this.sets, this.pods, claims, revisions];
    this.control = new StatefulSetControl(
      new StatefulPodControl(ctx.client, claims, ctx.recorder('statefulset-controller'), ctx.clock),
      new StatefulSetStatusUpdater(ctx.client, ctx.clock),
      new History(ctx.client, revisions, ctx.clock),
      ctx.clock,
    );
    this.pods.addHandler({
      add: (pod) => this.addPod(pod),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (pod) => this.deletePod(pod),
    });
    this.sets.addHandler({
      add: (set) => this.enqueue(set),
      update: (_old, cur) => this.enqueue(cur),
      delete: (set) => this.enqueue(set),
    });
  }

  start(): void {
    void Promise.all(this.informers.map((i) => i.waitForSync())).then(() => {
      if (this.stopped) return;
      runWorkers(this.queue, WORKERS, (key) => this.sync(key));
      this.scheduleResync();
    });
  }

  stop(): void {
    this.stopped = true;
    this.resyncTimer?.cancel();
    this.queue.shutdown();
  }

  private scheduleResync(): void {
    this.resyncTimer = this.clock.setTimeout(() => {
      for (const set of this.sets.list()) this.enqueue(set);
      this.scheduleResync();
    }, RESYNC_MS);
  }

  private enqueue(set: StatefulSet, afterMs = 0): void {
    this.queue.addAfter(keyOf(set), afterMs);
  }

  private addPod(pod: Pod): void {
    // A pod already being deleted when first seen (controller restart) counts as a deletion.
    if (pod.metadata?.deletionTimestamp) return this.deletePod(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const set = this.resolveControllerRef(pod.metadata!.namespace!, ref);
      if (set) this.enqueue(set);
      return;
    }
    for (const set of this.getStatefulSetsForPod(pod)) this.enqueue(set);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (cur.metadata?.resourceVersion === old.metadata?.resourceVersion) return;
    const labelChanged = !deepEqual(cur.metadata?.labels, old.metadata?.labels);
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !deepEqual(curRef, oldRef);
    if (refChanged && oldRef) {
      const set = this.resolveControllerRef(old.metadata!.namespace!, oldRef);
      if (set) this.enqueue(set);
    }
    if (curRef) {
      const set = this.resolveControllerRef(cur.metadata!.namespace!, curRef);
      if (!set) return;
      this.enqueue(set);
      // Becoming Ready starts the minReadySeconds clock; look again once it has run.
      const minReadySeconds = set.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReadySeconds > 0) this.enqueue(set, minReadySeconds * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const set of this.getStatefulSetsForPod(cur)) this.enqueue(set);
  }

  private deletePod(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const set = this.resolveControllerRef(pod.metadata!.namespace!, ref);
    if (set) this.enqueue(set);
  }

  /** Sets in the pod's namespace whose (non-empty) selector matches the pod's labels. */
  private getStatefulSetsForPod(pod: Pod): StatefulSet[] {
    return this.sets.byIndex('namespace', pod.metadata?.namespace ?? '').filter((set: StatefulSet) => {
      try {
        const sel = fromLabelSelector(set.spec?.selector);
        return sel.length > 0 && matches(sel, pod.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  private resolveControllerRef(namespace: string, ref: OwnerReference): StatefulSet | undefined {
    if (ref.kind !== STATEFUL_SET_KIND.kind) return undefined;
    const set: StatefulSet | undefined = this.sets.getByName(namespace, ref.name);
    return set?.metadata?.uid === ref.uid ? set : undefined;
  }

  private async sync(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const set: StatefulSet | undefined = this.sets.getByName(key.slice(0, slash), key.slice(slash + 1));
    if (!set) return; // the StatefulSet has been deleted
    let selector: Selector;
    try {
      selector = fromLabelSelector(set.spec?.selector);
    } catch {
      return; // a selector that does not convert will not convert on retry either
    }
    await this.adoptOrphanRevisions(set);
    const pods = await this.getPodsForStatefulSet(set, selector);
    const status = await this.control.updateStatefulSet(set, pods);
    // Pods become available with time alone; look again once minReadySeconds have passed.
    const minReadySeconds = set.spec?.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && status.availableReplicas !== getReplicas(set)) this.enqueue(set, minReadySeconds * 1000);
  }

  /** A live read of the set before adopting anything: it must still be the same object and not being deleted. */
  private canAdoptFunc(set: StatefulSet): () => Promise<void> {
    return recheckDeletionTimestamp(async () => {
      const fresh: StatefulSet = await this.client.resource(REFS.statefulsets).get(set.metadata!.namespace!, set.metadata!.name!);
      const { namespace, name, uid } = set.metadata!;
      if (fresh.metadata?.uid !== uid) throw new Error(`original StatefulSet ${namespace}/${name} is gone: got uid ${fresh.metadata?.uid}, wanted ${uid}`);
      return fresh;
    });
  }

  private async adoptOrphanRevisions(set: StatefulSet): Promise<void> {
    const orphans = this.control.listRevisions(set).filter((r: ControllerRevision) => !getControllerOf(r));
    if (!orphans.length) return;
    try {
      await this.canAdoptFunc(set)();
    } catch (e) {
      throw new Error(`can't adopt ControllerRevisions: ${(e as Error).message}`);
    }
    await this.control.adoptOrphanRevisions(set, orphans);
  }

  /** The set's pods: its own that still match (selector and `<set>-<ordinal>` name) plus adopted orphans. */
  private async getPodsForStatefulSet(set: StatefulSet, selector: Selector): Promise<Pod[]> {
    const manager = new PodControllerRefManager(this.podPatcher, set, selector, STATEFUL_SET_KIND, this.canAdoptFunc(set));
    const { claimed, errors } = await manager.claimPods(this.pods.byIndex('namespace', set.metadata!.namespace!), (pod) => isMemberOf(set, pod));
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregatedErrors(errors);
    return claimed;
  }
}
