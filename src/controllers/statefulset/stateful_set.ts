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
import { clientPodPatcher, PodControllerRefManager, recheckDeletionTimestamp, type PodPatcher } from '../controller_ref_manager.js';
import { getControllerOf, isPodReady } from '../controller_utils.js';
import { History } from '../history/controller_history.js';
import { StatefulPodControl } from './stateful_pod_control.js';
import { PodEventCoalescer } from './stateful_set_coalescer.js';
import { AggregatedErrors, StatefulSetControl } from './stateful_set_control.js';
import { StatefulSetStatusUpdater } from './stateful_set_status_updater.js';
import { getReplicas, isMemberOf, STATEFUL_SET_KIND } from './stateful_set_utils.js';

/** kube-controller-manager's --concurrent-statefulset-syncs default. */
const WORKERS = 5;

/** Every set is synced at least this often (statefulSetResyncPeriod), which is what notices claims the garbage collector removed. */
const RESYNC_MS = 30_000;

/** Pods by the UID of their controller, orphans by namespace (PodControllerUIDIndex and OrphanPodIndexKey upstream). */
const POD_OWNER_INDEX = 'statefulset/controllerUID';
const ownedKey = (uid: string): string => `uid/${uid}`;
const orphanKey = (namespace: string): string => `orphan/${namespace}`;
const podOwnerKeys = (pod: Pod): string[] => {
  const ref = getControllerOf(pod);
  return [ref ? ownedKey(ref.uid) : orphanKey(pod.metadata?.namespace ?? '')];
};

/** Only status (and the bookkeeping that goes with any write) differs between the two versions of a set. */
function statusOnlyChange(old: StatefulSet, cur: StatefulSet): boolean {
  const meta = (s: StatefulSet) => ({ ...s.metadata, resourceVersion: undefined, managedFields: undefined });
  return deepEqual(old.spec, cur.spec) && deepEqual(meta(old), meta(cur));
}

const keyOf = (obj: { metadata?: { namespace?: string; name?: string } }): string => `${obj.metadata?.namespace}/${obj.metadata?.name}`;

export class StatefulSetController implements Controller {
  private client: Client;
  private queue: WorkQueue;
  private sets: Informer<StatefulSet>;
  private pods: Informer<Pod>;
  private informers: Array<{ waitForSync(): Promise<void> }>;
  private control: StatefulSetControl;
  private podEvents: PodEventCoalescer;
  private clock: Clock;
  private resyncTimer: Timer | undefined;
  private stopped = false;
  private podPatcher: PodPatcher;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.podPatcher = clientPodPatcher(ctx.client);
    this.clock = ctx.clock;
    this.queue = new WorkQueue(ctx.clock, { name: 'statefulset' });
    this.podEvents = new PodEventCoalescer((key) => this.queue.add(key));
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
    this.pods.addIndex(POD_OWNER_INDEX, podOwnerKeys);
    this.pods.addHandler({
      add: (pod) => this.addPod(pod),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (pod) => this.deletePod(pod),
    });
    this.sets.addHandler({
      add: (set) => this.enqueue(set),
      // The set's own status writes come back as updates: like pod events, those are coalesced.
      update: (old, cur) => (statusOnlyChange(old, cur) ? this.enqueueForPod(cur) : this.enqueue(cur)),
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
    this.podEvents.stop();
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

  /** A pod of the set (or the set's status) changed: large sets coalesce these (see PodEventCoalescer). */
  private enqueueForPod(set: StatefulSet): void {
    this.podEvents.podEvent(keyOf(set));
  }

  private addPod(pod: Pod): void {
    // A pod already being deleted when first seen (controller restart) counts as a deletion.
    if (pod.metadata?.deletionTimestamp) return this.deletePod(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const set = this.resolveControllerRef(pod.metadata!.namespace!, ref);
      if (set) this.enqueueForPod(set);
      return;
    }
    for (const set of this.getStatefulSetsForPod(pod)) this.enqueueForPod(set);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (cur.metadata?.resourceVersion === old.metadata?.resourceVersion) return;
    const labelChanged = !deepEqual(cur.metadata?.labels, old.metadata?.labels);
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !deepEqual(curRef, oldRef);
    if (refChanged && oldRef) {
      const set = this.resolveControllerRef(old.metadata!.namespace!, oldRef);
      if (set) this.enqueueForPod(set);
    }
    if (curRef) {
      const set = this.resolveControllerRef(cur.metadata!.namespace!, curRef);
      if (!set) return;
      this.enqueueForPod(set);
      // Becoming Ready starts the minReadySeconds clock; look again once it has run.
      const minReadySeconds = set.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReadySeconds > 0) this.enqueue(set, minReadySeconds * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const set of this.getStatefulSetsForPod(cur)) this.enqueueForPod(set);
  }

  private deletePod(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const set = this.resolveControllerRef(pod.metadata!.namespace!, ref);
    if (set) this.enqueueForPod(set);
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
    if (!set) return this.podEvents.forget(key); // the StatefulSet has been deleted
    let pods = 0;
    this.podEvents.started(key);
    try {
      pods = await this.syncStatefulSet(set);
    } finally {
      this.podEvents.finished(key, pods);
    }
  }

  /** One sync of a cached set; returns how many pods it claimed. */
  private async syncStatefulSet(set: StatefulSet): Promise<number> {
    let selector: Selector;
    try {
      selector = fromLabelSelector(set.spec?.selector);
    } catch {
      return 0; // a selector that does not convert will not convert on retry either
    }
    await this.adoptOrphanRevisions(set);
    const pods = await this.getPodsForStatefulSet(set, selector);
    const status = await this.control.updateStatefulSet(set, pods);
    // Pods become available with time alone; look again once minReadySeconds have passed.
    const minReadySeconds = set.spec?.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && status.availableReplicas !== getReplicas(set)) this.enqueue(set, minReadySeconds * 1000);
    return pods.length;
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

  /**
   * The set's pods: its own that still match (selector and `<set>-<ordinal>` name) plus adopted orphans.
   * Only the set's own pods and the namespace's orphans can be claimed, so only those are looked at; own
   * pods that still match are claimed as they are, without going through the ref manager.
   */
  private async getPodsForStatefulSet(set: StatefulSet, selector: Selector): Promise<Pod[]> {
    const { namespace, uid } = set.metadata!;
    const member = (pod: Pod) => isMemberOf(set, pod);
    const claimed: Pod[] = [];
    const candidates: Pod[] = [];
    for (const pod of this.pods.byIndex(POD_OWNER_INDEX, ownedKey(uid!))) {
      if (pod.metadata?.namespace !== namespace) continue;
      if (matches(selector, pod.metadata?.labels) && member(pod)) claimed.push(pod);
      else candidates.push(pod);
    }
    for (const pod of this.pods.byIndex(POD_OWNER_INDEX, orphanKey(namespace!))) candidates.push(pod);
    if (!candidates.length) return claimed;
    const manager = new PodControllerRefManager(this.podPatcher, set, selector, STATEFUL_SET_KIND, this.canAdoptFunc(set));
    const { claimed: adopted, errors } = await manager.claimPods(candidates, member);
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregatedErrors(errors);
    return claimed.concat(adopted);
  }
}
