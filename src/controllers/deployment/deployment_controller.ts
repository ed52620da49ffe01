// The Deployment controller (pkg/controller/deployment/deployment_controller.go): watches deployments,
// their replica sets and pods, claims replica sets, and runs one sync per deployment key. The ReplicaSet
// controller makes the pods; this one only sizes replica sets and reports the rollout.

import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { fromLabelSelector, matches, type Selector } from '../../machinery/labels.js';
import { deepEqual } from '../../machinery/objects.js';
import type { Controller, ControllerContext } from '../context.js';
import { recheckDeletionTimestamp } from '../controller_ref_manager.js';
import { getControllerOf } from '../controller_utils.js';
import type { Requeue } from './progress.js';
import { rolloutRecreate, type PodMap } from './recreate.js';
import { DEPLOYMENT_KIND, ReplicaSetControllerRefManager } from './replica_set_ref_manager.js';
import { rolloutRolling } from './rolling.js';
import { DeploymentSync } from './sync.js';

/** kube-controller-manager's --concurrent-deployment-syncs default. */
const WORKERS = 5;

const keyOf = (obj: { metadata?: { namespace?: string; name?: string } }): string => `${obj.metadata?.namespace}/${obj.metadata?.name}`;

export class DeploymentController implements Controller {
  private client: Client;
  private recorder: EventRecorder;
  private queue: WorkQueue;
  private deployments: Informer<Deployment>;
  private replicaSets: Informer<ReplicaSet>;
  private pods: Informer<Pod>;
  private syncer: DeploymentSync;
  private stopped = false;
  private requeue: Requeue = {
    after: (d, ms) => this.queue.addAfter(keyOf(d), ms),
    rateLimited: (d) => this.queue.addRateLimited(keyOf(d)),
  };

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('deployment-controller');
    this.queue = new WorkQueue(ctx.clock, { name: 'deployment' });
    this.deployments = ctx.informers.get(REFS.deployments);
    this.replicaSets = ctx.informers.get(REFS.replicasets);
    this.pods = ctx.informers.get(REFS.pods);
    this.syncer = new DeploymentSync(ctx.client, this.recorder, ctx.clock);
    this.deployments.addHandler({
      add: (d) => this.enqueue(d),
      update: (_old, cur) => this.enqueue(cur),
      delete: (d) => this.enqueue(d),
    });
    this.replicaSets.addHandler({
      add: (rs) => this.addReplicaSet(rs),
      update: (old, cur) => this.updateReplicaSet(old, cur),
      delete: (rs) => this.deleteReplicaSet(rs),
    });
    this.pods.addHandler({ delete: (pod) => this.deletePod(pod) });
  }

  start(): void {
    void Promise.all([this.deployments, this.replicaSets, this.pods].map((i) => i.waitForSync())).then(() => {
      if (!this.stopped) runWorkers(this.queue, WORKERS, (key) => this.syncDeployment(key));
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutdown();
  }

  private enqueue(d: Deployment): void {
    this.queue.add(keyOf(d));
  }

  private addReplicaSet(rs: ReplicaSet): void {
    if (rs.metadata?.deletionTimestamp) return this.deleteReplicaSet(rs);
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata!.namespace!, ref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.getDeploymentsForReplicaSet(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: ReplicaSet, cur: ReplicaSet): void {
    if (cur.metadata?.resourceVersion === old.metadata?.resourceVersion) return;
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !deepEqual(curRef, oldRef);
    if (refChanged && oldRef) {
      const d = this.resolveControllerRef(old.metadata!.namespace!, oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolveControllerRef(cur.metadata!.namespace!, curRef);
      if (d) this.enqueue(d);
      return;
    }
    const labelChanged = !deepEqual(cur.metadata?.labels, old.metadata?.labels);
    if (labelChanged || refChanged) for (const d of this.getDeploymentsForReplicaSet(cur)) this.enqueue(d);
  }

  private deleteReplicaSet(rs: ReplicaSet): void {
    const ref = getControllerOf(rs);
    if (!ref) return;
    const d = this.resolveControllerRef(rs.metadata!.namespace!, ref);
    if (d) this.enqueue(d);
  }

  /** A Recreate rollout waits for old pods to be gone; their deletion is what lets it go on. */
  private deletePod(pod: Pod): void {
    const rsRef = getControllerOf(pod);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.getByName(pod.metadata!.namespace!, rsRef.name);
    const ref = rs?.metadata?.uid === rsRef.uid ? getControllerOf(rs) : undefined;
    const d = ref && this.resolveControllerRef(pod.metadata!.namespace!, ref);
    if (d && d.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }

  /** Deployments in the replica set's namespace whose (non-empty) selector matches its labels. */
  private getDeploymentsForReplicaSet(rs: ReplicaSet): Deployment[] {
    return this.deployments.byIndex('namespace', rs.metadata?.namespace ?? '').filter((d: Deployment) => {
      try {
        const sel = fromLabelSelector(d.spec?.selector);
        return sel.length > 0 && matches(sel, rs.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  private resolveControllerRef(namespace: string, ref: OwnerReference): Deployment | undefined {
    if (ref.kind !== DEPLOYMENT_KIND.kind) return undefined;
    const d: Deployment | undefined = this.deployments.getByName(namespace, ref.name);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  /** syncDeployment: one pass over a deployment, as upstream orders it. */
  private async syncDeployment(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const cached: Deployment | undefined = this.deployments.getByName(key.slice(0, slash), key.slice(slash + 1));
    if (!cached) return; // deleted
    const d = structuredClone(cached) as Deployment;
    const s = this.syncer;
    let selector: Selector;
    try {
      selector = fromLabelSelector(d.spec?.selector);
    } catch {
      return; // an invalid selector stays invalid on retry
    }
    if (selector.length === 0) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.metadata?.generation ?? 0) > (d.status?.observedGeneration ?? 0)) {
        (d.status ??= {}).observedGeneration = d.metadata?.generation;
        await s.updateStatus(d);
      }
      return;
    }
    const rsList = await this.getReplicaSetsForDeployment(d, selector);
    if (d.metadata?.deletionTimestamp) {
      const { newRS, oldRSs } = await s.getAllReplicaSetsAndSyncRevision(d, rsList, false);
      return s.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
    }
    await s.checkPausedConditions(d);
    if (d.spec!.paused) return s.sync(d, rsList);
    if (await s.isScalingEvent(d, rsList)) return s.sync(d, rsList);
    if (d.spec!.strategy?.type === 'Recreate') return rolloutRecreate(s, this.requeue, d, rsList, this.getPodMapForDeployment(d, selector, rsList));
    return rolloutRolling(s, this.requeue, d, rsList);
  }

  /** The deployment's replica sets after adoption and release, live-checking the deployment before adopting. */
  private getReplicaSetsForDeployment(d: Deployment, selector: Selector): Promise<ReplicaSet[]> {
    const { namespace, name, uid } = d.metadata!;
    const canAdopt = recheckDeletionTimestamp(async () => {
      const fresh = await this.client.resource(REFS.deployments).get(namespace!, name!);
      if (fresh.metadata.uid !== uid) throw new Error(`original Deployment ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
      return fresh;
    });
    const patch = (ns: string, rsName: string, body: unknown) => this.client.resource(REFS.replicasets).patch(ns, rsName, 'strategic', body);
    const manager = new ReplicaSetControllerRefManager(patch, d, selector, canAdopt);
    return manager.claimReplicaSets(this.replicaSets.byIndex('namespace', namespace!));
  }

  /** getPodMapForDeployment: the pods the selector matches, grouped by the uid of their controlling replica set. */
  private getPodMapForDeployment(d: Deployment, selector: Selector, rsList: ReplicaSet[]): PodMap {
    const podMap: PodMap = new Map(rsList.map((rs) => [rs.metadata!.uid!, []]));
    for (const pod of this.pods.byIndex('namespace', d.metadata!.namespace!)) {
      if (!matches(selector, pod.metadata?.labels)) continue;
      const ref = getControllerOf(pod);
      if (ref && podMap.has(ref.uid)) podMap.get(ref.uid)!.push(pod);
    }
    return podMap;
  }
}
