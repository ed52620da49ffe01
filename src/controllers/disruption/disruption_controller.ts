// The disruption controller (pkg/controller/disruption/disruption.go): keeps every PodDisruptionBudget's
// status (expected, desired and current healthy pods, allowed disruptions, evicted pods) current, and resets
// DisruptionTarget conditions of pods an eviction marked but never deleted.

import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { REFS, type Client, type TypedRef } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { rfc3339, type Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';
import { getControllerOf } from '../controller_utils.js';
import { computePdbStatus, failSafeStatus, selectsPod, unmanagedPodsMessage, type ControllerScale } from './pdb_status.js';

const REPLICATION_CONTROLLERS: TypedRef<ReplicationController> = { group: '', version: 'v1', plural: 'replicationcontrollers' };

/** stalePodDisruptionTimeout: how long an eviction's DisruptionTarget=True may stand on a pod not being deleted. */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60 * 1000;

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace}/${o.metadata?.name}`;
const splitKey = (key: string): [string, string] => {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
};
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');
/** verifyGroupKind. */
const isKind = (ref: OwnerReference, kind: string, groups: string[]): boolean => ref.kind === kind && groups.includes(groupOf(ref.apiVersion));

const TERMINAL_PHASES = new Set(['Succeeded', 'Failed']);

export class DisruptionController implements Controller {
  private client: Client;
  private clock: Clock;
  private recorder: EventRecorder;
  private queue: WorkQueue;
  private staleQueue: WorkQueue;
  private pods: Informer<Pod>;
  private pdbs: Informer<PodDisruptionBudget>;
  private rcs: Informer<ReplicationController>;
  private rss: Informer<ReplicaSet>;
  private deployments: Informer<Deployment>;
  private statefulSets: Informer<StatefulSet>;
  private stopped = false;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.recorder = ctx.recorder('controllermanager');
    this.queue = new WorkQueue(ctx.clock, { name: 'disruption' });
    this.staleQueue = new WorkQueue(ctx.clock, { name: 'stale_pod_disruption' });
    this.pods = ctx.informers.get(REFS.pods);
    this.pdbs = ctx.informers.get(REFS.poddisruptionbudgets);
    this.rcs = ctx.informers.get(REPLICATION_CONTROLLERS);
    this.rss = ctx.informers.get(REFS.replicasets);
    this.deployments = ctx.informers.get(REFS.deployments);
    this.statefulSets = ctx.informers.get(REFS.statefulsets);

    const enqueuePdb = (pdb: PodDisruptionBudget) => this.queue.add(keyOf(pdb));
    this.pdbs.addHandler({ add: enqueuePdb, update: (_o, n) => enqueuePdb(n), delete: enqueuePdb });
    this.pods.addHandler({
      add: (pod) => this.podChanged(pod),
      update: (old, cur) => {
        // A pod whose labels changed may have left a PDB (upstream only looks at the new labels).
        for (const pdb of this.pdbsSelecting(old)) if (!selectsPod(pdb, cur)) enqueuePdb(pdb);
        this.podChanged(cur);
      },
      delete: (pod) => {
        const pdb = this.getPdbForPod(pod);
        if (pdb) enqueuePdb(pdb);
      },
    });
    // Upstream only lists controllers; a change of scale (or a controller appearing) is picked up here at once.
    const scaleHandler = <T extends { metadata?: { namespace?: string }; spec?: { replicas?: number } }>() => ({
      add: (o: T) => this.enqueueNamespace(o),
      update: (old: T, cur: T) => {
        if (old.spec?.replicas !== cur.spec?.replicas) this.enqueueNamespace(cur);
      },
      delete: (o: T) => this.enqueueNamespace(o),
    });
    this.rcs.addHandler(scaleHandler<ReplicationController>());
    this.rss.addHandler(scaleHandler<ReplicaSet>());
    this.deployments.addHandler(scaleHandler<Deployment>());
    this.statefulSets.addHandler(scaleHandler<StatefulSet>());
  }

  start(): void {
    const informers = [this.pods, this.pdbs, this.rcs, this.rss, this.deployments, this.statefulSets];
    void Promise.all(informers.map((i) => i.waitForSync())).then(() => {
      if (this.stopped) return;
      runWorkers(this.queue, 1, (key) => this.sync(key));
      runWorkers(this.staleQueue, 1, (key) => this.syncStalePodDisruption(key));
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutdown();
    this.staleQueue.shutdown();
  }

  private enqueueNamespace(o: { metadata?: { namespace?: string } }): void {
    for (const pdb of this.pdbs.byIndex('namespace', o.metadata?.namespace ?? '')) this.queue.add(keyOf(pdb));
  }

  private podChanged(pod: Pod): void {
    const pdb = this.getPdbForPod(pod);
    if (pdb) this.queue.add(keyOf(pdb));
    const cleanAfter = this.staleDisruptionCleanAfter(pod);
    if (cleanAfter !== undefined) this.staleQueue.addAfter(keyOf(pod), cleanAfter);
  }

  /** The PDBs of the pod's namespace whose selector matches it, by name (the lister's order upstream). */
  private pdbsSelecting(pod: Pod): PodDisruptionBudget[] {
    return this.pdbs
      .byIndex('namespace', pod.metadata?.namespace ?? '')
      .filter((pdb) => selectsPod(pdb, pod))
      .sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
  }

  /** getPdbForPod: the first matching PDB, with a warning on the pod when there are several. */
  private getPdbForPod(pod: Pod): PodDisruptionBudget | undefined {
    const pdbs = this.pdbsSelecting(pod);
    if (pdbs.length > 1) {
      const msg = `Pod "${pod.metadata?.namespace}"/"${pod.metadata?.name}" matches multiple PodDisruptionBudgets.  Chose "${pdbs[0].metadata?.name}" arbitrarily.`;
      this.recorder.event(pod, 'Warning', 'MultiplePodDisruptionBudgets', msg);
    }
    return pdbs[0];
  }

  /** The finders of upstream in their order: RC, Deployment (through its RS), RS without a Deployment, StatefulSet. */
  private findController = (ref: OwnerReference, namespace: string): ControllerScale | undefined => {
    const same = <T extends { metadata?: { uid?: string } }>(o: T | undefined, uid: string): T | undefined => (o?.metadata?.uid === uid ? o : undefined);
    if (isKind(ref, 'ReplicationController', [''])) {
      const rc = same(this.rcs.getByName(namespace, ref.name), ref.uid);
      return rc ? { uid: ref.uid, scale: rc.spec?.replicas ?? 1 } : undefined;
    }
    if (isKind(ref, 'ReplicaSet', ['apps', 'extensions'])) {
      const rs = same(this.rss.getByName(namespace, ref.name), ref.uid);
      if (!rs) return undefined;
      const owner = getControllerOf(rs);
      if (owner?.kind !== 'Deployment') return { uid: ref.uid, scale: rs.spec?.replicas ?? 1 };
      if (!isKind(owner, 'Deployment', ['apps', 'extensions'])) return undefined;
      const d = same(this.deployments.getByName(namespace, owner.name), owner.uid);
      return d ? { uid: owner.uid, scale: d.spec?.replicas ?? 1 } : undefined;
    }
    if (isKind(ref, 'StatefulSet', ['apps'])) {
      const ss = same(this.statefulSets.getByName(namespace, ref.name), ref.uid);
      return ss ? { uid: ref.uid, scale: ss.spec?.replicas ?? 1 } : undefined;
    }
    return undefined;
  };

  private async sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const pdb = this.pdbs.getByName(ns, name);
    if (!pdb) return;
    const pods = this.pods.byIndex('namespace', ns).filter((p) => selectsPod(pdb, p));
    if (pods.length === 0) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    const now = this.clock.now();
    const result = computePdbStatus(pdb, pods, this.findController, now);
    if (result.error !== undefined) {
      this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${result.error}`);
    }
    if (result.unmanagedPods.length) this.recorder.event(pdb, 'Warning', 'UnmanagedPods', unmanagedPodsMessage(pdb));
    for (const pod of result.notDeleted) {
      // Upstream prints the PDB's namespace twice.
      this.recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${ns}/${ns} to be deleted but it wasn't`);
    }
    if (!result.upToDate) {
      try {
        await this.writeStatus(pdb, result.status);
      } catch (e) {
        if (isStatusError(e, 'NotFound')) return;
        // A conflict means a newer PDB (an eviction's decrement) is on its way: requeue, no fail-safe.
        if (isStatusError(e, 'Conflict') || result.error !== undefined) throw e;
        await this.writeStatus(pdb, failSafeStatus(pdb, (e as Error).message, now));
        return;
      }
    }
    if (result.recheckAt !== undefined) this.queue.addAfter(key, result.recheckAt - now + 1);
  }

  private async writeStatus(pdb: PodDisruptionBudget, status: PodDisruptionBudget['status']): Promise<void> {
    const next = structuredClone(pdb) as PodDisruptionBudget;
    next.status = status;
    await this.client.resource(REFS.poddisruptionbudgets).updateStatus(pdb.metadata!.namespace!, next);
  }

  /**
   * nonTerminatingPodHasStaleDisruptionCondition: ms until the pod's DisruptionTarget=True condition is stale,
   * or undefined when it has none that can be (being deleted, terminal, or set by the kubelet).
   */
  private staleDisruptionCleanAfter(pod: Pod): number | undefined {
    if (pod.metadata?.deletionTimestamp) return undefined;
    const cond = pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    if (!cond || cond.status !== 'True' || cond.reason === 'TerminationByKubelet' || TERMINAL_PHASES.has(pod.status?.phase ?? '')) return undefined;
    const since = Date.parse(cond.lastTransitionTime ?? '');
    const elapsed = Number.isFinite(since) ? this.clock.now() - since : Infinity;
    return Math.max(0, STALE_POD_DISRUPTION_TIMEOUT_MS - elapsed);
  }

  /** syncStalePodDisruption: DisruptionTarget becomes False (reason and message dropped, as UpdatePodCondition does). */
  private async syncStalePodDisruption(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const pod = this.pods.getByName(ns, name);
    if (!pod) return;
    const cleanAfter = this.staleDisruptionCleanAfter(pod);
    if (cleanAfter === undefined) return;
    if (cleanAfter > 0) {
      this.staleQueue.addAfter(key, cleanAfter);
      return;
    }
    const next = structuredClone(pod) as Pod;
    next.status!.conditions = next.status!.conditions!.map((c) =>
      c.type === 'DisruptionTarget' ? { type: 'DisruptionTarget', status: 'False', lastTransitionTime: rfc3339(this.clock.now()) } : c,
    );
    try {
      await this.client.resource(REFS.pods).updateStatus(ns, next);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
