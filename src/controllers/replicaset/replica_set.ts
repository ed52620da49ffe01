// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go), which also drives
// ReplicationControllers (pkg/controller/replication): keeps the number of active pods a set owns at
// spec.replicas, adopting and releasing pods by selector, and reports the counts in status.

import type { ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import type { Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { matches, type Selector } from '../../machinery/labels.js';
import { deepEqual } from '../../machinery/objects.js';
import type { Controller, ControllerContext } from '../context.js';
import { clientPodPatcher, PodControllerRefManager, recheckDeletionTimestamp, type PodPatcher } from '../controller_ref_manager.js';
import { getControllerOf, getPodReadyCondition, isPodAvailable, isPodReady } from '../controller_utils.js';
import { filterActivePods, getPodsToDelete } from './active_pods.js';
import { ControllerExpectations } from './expectations.js';
import { isNamespaceTerminating, PodControl } from './pod_control.js';
import {
  BURST_REPLICAS,
  calculateStatus,
  getReplicas,
  KINDS,
  slowStartBatch,
  SLOW_START_INITIAL_BATCH_SIZE,
  statusUpToDate,
  type ReplicaSetLike,
  type SetKind,
} from './replica_set_utils.js';

/** kube-controller-manager's --concurrent-replicaset-syncs (and --concurrent-rc-syncs) default. */
const WORKERS = 5;

/** statusUpdateRetries: one retry against a fresh copy. */
const STATUS_UPDATE_RETRIES = 1;

const CONTROLLER_UID_INDEX = 'controllerUID';

const keyOf = (obj: { metadata?: { namespace?: string; name?: string } }): string => `${obj.metadata?.namespace}/${obj.metadata?.name}`;

export class ReplicaSetController implements Controller {
  private client: Client;
  private clock: Clock;
  private kind: SetKind;
  private queue: WorkQueue;
  private sets: Informer<ReplicaSetLike>;
  private pods: Informer<Pod>;
  private podControl: PodControl;
  readonly expectations: ControllerExpectations;
  private stopped = false;
  private podPatcher: PodPatcher;

  constructor(ctx: ControllerContext, kind: 'ReplicaSet' | 'ReplicationController' = 'ReplicaSet') {
    this.client = ctx.client;
    this.podPatcher = clientPodPatcher(ctx.client);
    this.clock = ctx.clock;
    this.kind = KINDS[kind];
    this.queue = new WorkQueue(ctx.clock, { name: this.kind.queueName });
    this.expectations = new ControllerExpectations(ctx.clock);
    this.sets = ctx.informers.get(this.kind.ref);
    this.pods = ctx.informers.get(REFS.pods);
    this.podControl = new PodControl(ctx.client, ctx.recorder(this.kind.component));
    this.sets.addIndex(CONTROLLER_UID_INDEX, (set) => {
      const ref = getControllerOf(set);
      return ref ? [ref.uid] : [];
    });
    this.sets.addHandler({
      add: (set) => this.enqueue(set),
      update: (old, cur) => this.updateSet(old, cur),
      delete: (set) => this.deleteSet(set),
    });
    this.pods.addHandler({
      add: (pod) => this.addPod(pod),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (pod) => this.deletePod(pod),
    });
  }

  start(): void {
    void Promise.all([this.sets.waitForSync(), this.pods.waitForSync()]).then(() => {
      if (!this.stopped) runWorkers(this.queue, WORKERS, (key) => this.sync(key));
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutdown();
  }

  private enqueue(set: ReplicaSetLike, afterMs = 0): void {
    this.queue.addAfter(keyOf(set), afterMs);
  }

  private updateSet(old: ReplicaSetLike, cur: ReplicaSetLike): void {
    // A set deleted and recreated under the same name: the old one's expectations are void.
    if (old.metadata?.uid !== cur.metadata?.uid) this.deleteSet(old);
    this.enqueue(cur);
  }

  private deleteSet(set: ReplicaSetLike): void {
    this.expectations.deleteExpectations(keyOf(set));
    this.enqueue(set);
  }

  private addPod(pod: Pod): void {
    // A pod already being deleted when first seen (controller restart) counts as a deletion.
    if (pod.metadata?.deletionTimestamp) return this.deletePod(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const set = this.resolveControllerRef(pod.metadata!.namespace!, ref);
      if (!set) return;
      this.expectations.creationObserved(keyOf(set));
      this.enqueue(set);
      return;
    }
    for (const set of this.getPodReplicaSets(pod)) this.enqueue(set);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (cur.metadata?.resourceVersion === old.metadata?.resourceVersion) return;
    const labelChanged = !deepEqual(cur.metadata?.labels, old.metadata?.labels);
    // A graceful deletion is seen as a deletion right away, so the replacement need not wait for the kubelet.
    if (cur.metadata?.deletionTimestamp) {
      this.deletePod(cur);
      if (labelChanged) this.deletePod(old);
      return;
    }
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
      const minReadySeconds = set.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReadySeconds > 0) this.enqueue(set, minReadySeconds * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const set of this.getPodReplicaSets(cur)) this.enqueue(set);
  }

  private deletePod(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const set = this.resolveControllerRef(pod.metadata!.namespace!, ref);
    if (!set) return;
    this.expectations.deletionObserved(keyOf(set), keyOf(pod));
    this.enqueue(set);
  }

  /** Sets in the pod's namespace whose (non-empty) selector matches its labels. */
  private getPodReplicaSets(pod: Pod): ReplicaSetLike[] {
    return this.sets.byIndex('namespace', pod.metadata?.namespace ?? '').filter((set) => {
      const sel = this.kind.selector(set);
      return !!sel && sel.length > 0 && matches(sel, pod.metadata?.labels);
    });
  }

  private resolveControllerRef(namespace: string, ref: OwnerReference): ReplicaSetLike | undefined {
    if (ref.kind !== this.kind.gvk.kind) return undefined;
    const set = this.sets.getByName(namespace, ref.name);
    return set?.metadata?.uid === ref.uid ? set : undefined;
  }

  private async sync(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const set = this.sets.getByName(key.slice(0, slash), key.slice(slash + 1));
    if (!set) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const needsSync = this.expectations.satisfiedExpectations(key);
    const selector = this.kind.selector(set);
    if (!selector) return; // an invalid selector stays invalid on retry
    const active = filterActivePods(this.pods.byIndex('namespace', set.metadata.namespace!));
    const pods = await this.claimPods(set, selector, active);
    let manageErr: unknown;
    if (needsSync && !set.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, set, pods);
      } catch (e) {
        manageErr = e;
      }
    }
    const now = this.clock.now();
    const status = calculateStatus(set, pods, manageErr, now);
    await this.updateStatus(set, status);
    if (manageErr !== undefined) throw manageErr;
    // Pods become available with time alone: look again when the next one does.
    const wait = untilNextAvailable(set, pods, now);
    if (wait !== undefined && status.readyReplicas === getReplicas(set) && status.availableReplicas !== getReplicas(set)) this.queue.addAfter(key, wait);
  }

  /** A live read of the set before adopting anything: it must still be the same object and not being deleted. */
  private canAdoptFunc(set: ReplicaSetLike): () => Promise<void> {
    return recheckDeletionTimestamp(async () => {
      const fresh = await this.client.resource(this.kind.ref).get(set.metadata!.namespace!, set.metadata!.name!);
      const { namespace, name, uid } = set.metadata!;
      if (fresh.metadata.uid !== uid) throw new Error(`original ${this.kind.gvk.kind} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
      return fresh;
    });
  }

  private async claimPods(set: ReplicaSetLike, selector: Selector, pods: Pod[]): Promise<Pod[]> {
    const manager = new PodControllerRefManager(this.podPatcher, set, selector, this.kind.gvk, this.canAdoptFunc(set));
    const { claimed, errors } = await manager.claimPods(pods);
    if (errors.length) throw errors[0];
    return claimed;
  }

  private async manageReplicas(key: string, set: ReplicaSetLike, pods: Pod[]): Promise<void> {
    const diff = pods.length - getReplicas(set);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      // Expect before creating: the informer may report the new pods before the creates return.
      this.expectations.expectCreations(key, count);
      const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        try {
          await this.podControl.createPod(set, this.kind.gvk);
        } catch (e) {
          if (!isNamespaceTerminating(e)) throw e;
        }
      });
      // Creations that were never made (or failed) will never be observed.
      for (let i = successes; i < count; i++) this.expectations.creationObserved(key);
      if (error !== undefined) throw error;
    } else if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      const toDelete = getPodsToDelete(pods, this.getIndirectlyRelatedPods(set), count, this.clock.now());
      this.expectations.expectDeletions(key, toDelete.map(keyOf));
      const results = await Promise.all(
        toDelete.map(async (pod) => {
          try {
            await this.podControl.deletePod(set, pod.metadata!.namespace!, pod.metadata!.name!);
          } catch (e) {
            // The informer will not see this deletion.
            this.expectations.deletionObserved(key, keyOf(pod));
            if (!isStatusError(e, 'NotFound')) return e;
          }
          return undefined;
        }),
      );
      const first = results.find((e) => e !== undefined);
      if (first !== undefined) throw first;
    }
  }

  /** The pods selected by any set with the same controller as this one (none for a set without a controller, as upstream). */
  private getIndirectlyRelatedPods(set: ReplicaSetLike): Pod[] {
    const ref = getControllerOf(set);
    if (!ref) return [];
    const seen = new Set<string>();
    const related: Pod[] = [];
    const inNamespace = this.pods.byIndex('namespace', set.metadata!.namespace!);
    for (const other of this.sets.byIndex(CONTROLLER_UID_INDEX, ref.uid)) {
      const sel = this.kind.selector(other);
      if (!sel || other.metadata?.namespace !== set.metadata?.namespace) continue;
      for (const pod of inNamespace) {
        const uid = pod.metadata!.uid!;
        if (seen.has(uid) || !matches(sel, pod.metadata?.labels)) continue;
        seen.add(uid);
        related.push(pod);
      }
    }
    return related;
  }

  /** updateReplicaSetStatus: write only on change, with one retry against a fresh copy. */
  private async updateStatus(set: ReplicaSetLike, status: ReplicaSetStatus): Promise<void> {
    if (statusUpToDate(set, status)) return;
    const resource = this.client.resource(this.kind.ref);
    let current: ReplicaSetLike = set;
    for (let i = 0; ; i++) {
      const observed = current.metadata?.generation ? { observedGeneration: current.metadata.generation } : {};
      const next: ReplicaSetLike = { ...structuredClone(current), status: { ...status, ...observed } };
      try {
        await resource.updateStatus(next.metadata!.namespace!, next);
        return;
      } catch (e) {
        if (i >= STATUS_UPDATE_RETRIES) throw e;
      }
      current = await resource.get(set.metadata!.namespace!, set.metadata!.name!);
    }
  }
}

/** Milliseconds until the first ready but not yet available pod becomes available, if there is one. */
function untilNextAvailable(set: ReplicaSetLike, pods: Pod[], now: number): number | undefined {
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;
  if (minReadySeconds <= 0) return undefined;
  let wait: number | undefined;
  for (const pod of pods) {
    if (!isPodReady(pod) || isPodAvailable(pod, minReadySeconds, now)) continue;
    const since = Date.parse(getPodReadyCondition(pod)?.lastTransitionTime ?? '');
    // Available once strictly more than minReadySeconds have passed.
    const ms = Number.isFinite(since) ? Math.max(0, since + minReadySeconds * 1000 - now) + 1 : minReadySeconds * 1000;
    wait = wait === undefined ? ms : Math.min(wait, ms);
  }
  return wait;
}
