// The node lifecycle controller (pkg/controller/nodelifecycle): watches every Node's Lease and Ready
// condition, turns the conditions of a node that stopped heartbeating Unknown, marks its pods not Ready,
// and taints nodes by their conditions (NoSchedule at once, NoExecute per zone unless the zone, or the
// whole cluster, is disrupted). The taint eviction controller acts on the NoExecute taints.

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import type { Clock, Timer } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { logger } from '../../machinery/log.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from '../../scheduler/taints.js';
import type { Controller, ControllerContext } from '../context.js';
import {
  computeZoneState,
  hasTaint,
  noScheduleTaintChanges,
  readyCondition,
  swapTaints,
  unknownConditions,
  updatePodCondition,
  zoneKey,
  type ZoneState,
} from './node_health.js';

export interface NodeLifecycleOptions {
  /** --node-monitor-period (5 s). */
  nodeMonitorPeriodMs?: number;
  /** --node-monitor-grace-period (40 s): silence after which a node is Unknown. */
  nodeMonitorGracePeriodMs?: number;
  /** --node-startup-grace-period (60 s), for a node that never posted Ready. */
  nodeStartupGracePeriodMs?: number;
  /** --unhealthy-zone-threshold (0.55). */
  unhealthyZoneThreshold?: number;
  /** --large-cluster-size-threshold (50): smaller zones stop evicting when partially disrupted. */
  largeClusterSizeThreshold?: number;
}

const LEASE_NAMESPACE = 'kube-node-lease';
const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';
const NODE_STATUS_UPDATE_RETRY = 5;
const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };
const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };
const log = logger('node-lifecycle-controller');

interface NodeHealth {
  ready?: NodeCondition;
  probeTimestamp: number;
  leaseRenewTime?: number;
}

const nodeRef = (node: Node) => ({ kind: 'Node', apiVersion: 'v1', metadata: { name: node.metadata!.name, uid: node.metadata!.uid } });

export class NodeLifecycleController implements Controller {
  private client: Client;
  private clock: Clock;
  private recorder: EventRecorder;
  private nodes: Informer<Node>;
  private leases: Informer<Lease>;
  private pods: Informer<Pod>;
  private noScheduleQueue: WorkQueue;
  private podQueue: WorkQueue;
  private health = new Map<string, NodeHealth>();
  private known = new Set<string>();
  private zoneStates = new Map<string, ZoneState>();
  /** Nodes marked for NoExecute tainting, waiting for their zone to allow it (the zone tainter queues). */
  private toTaint = new Set<string>();
  private nodesToRetry = new Set<string>();
  private timer?: Timer;
  private stopped = false;
  private opts: Required<NodeLifecycleOptions>;

  constructor(ctx: ControllerContext, options: NodeLifecycleOptions = {}) {
    this.opts = {
      nodeMonitorPeriodMs: 5000,
      nodeMonitorGracePeriodMs: 40_000,
      nodeStartupGracePeriodMs: 60_000,
      unhealthyZoneThreshold: 0.55,
      largeClusterSizeThreshold: 50,
      ...options,
    };
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.recorder = ctx.recorder('node-controller');
    this.nodes = ctx.informers.get(REFS.nodes);
    this.leases = ctx.informers.get(REFS.leases);
    this.pods = ctx.informers.get(REFS.pods);
    this.pods.addIndex('spec.nodeName', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.noScheduleQueue = new WorkQueue(ctx.clock, { name: 'node_lifecycle_controller' });
    this.podQueue = new WorkQueue(ctx.clock, { name: 'node_lifecycle_controller_pods' });
    this.nodes.addHandler({ add: (n) => this.noScheduleQueue.add(n.metadata.name), update: (_o, n) => this.noScheduleQueue.add(n.metadata.name) });
    this.pods.addHandler({
      add: (p) => this.podUpdated(undefined, p),
      update: (o, p) => this.podUpdated(o, p),
    });
  }

  start(): void {
    void Promise.all([this.nodes.waitForSync(), this.leases.waitForSync(), this.pods.waitForSync()]).then(() => {
      if (this.stopped) return;
      runWorkers(this.noScheduleQueue, 1, (name) => this.doNoScheduleTaintingPass(name));
      runWorkers(this.podQueue, 1, (key) => this.processPod(key));
      const tick = async () => {
        if (this.stopped) return;
        await this.monitorNodeHealth().catch((e) => log.error('Error monitoring node health', { err: e }));
        if (!this.stopped) this.timer = this.clock.setTimeout(tick, this.opts.nodeMonitorPeriodMs);
      };
      void tick();
    });
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.noScheduleQueue.shutdown();
    this.podQueue.shutdown();
  }

  private podUpdated(old: Pod | undefined, pod: Pod): void {
    if (pod.spec?.nodeName && (!old || old.spec?.nodeName !== pod.spec.nodeName)) this.podQueue.add(`${pod.metadata!.namespace}/${pod.metadata!.name}`);
  }

  /** processPod: a pod bound to a node that is not Ready is marked not Ready too. */
  private async processPod(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const pod = this.pods.getByName(ns, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || !this.nodes.getByName('', nodeName)) return;
    const ready = this.health.get(nodeName)?.ready;
    if (ready && ready.status !== 'True') await this.markPodsNotReady([pod], nodeName);
  }

  private async doNoScheduleTaintingPass(name: string): Promise<void> {
    const node = this.nodes.getByName('', name);
    if (!node) return;
    const { add, remove } = noScheduleTaintChanges(node);
    if (add.length || remove.length) await this.swapNodeTaints(node, add, remove);
  }

  private async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.list();
    for (const node of nodes) {
      if (this.known.has(node.metadata.name)) continue;
      this.known.add(node.metadata.name);
      this.recorder.event(nodeRef(node), 'Normal', 'RegisteredNode', `Registered Node ${node.metadata.name} in Controller`);
    }
    const present = new Set(nodes.map((n) => n.metadata.name));
    for (const name of [...this.known]) {
      if (present.has(name)) continue;
      this.recorder.event({ kind: 'Node', apiVersion: 'v1', metadata: { name, uid: name } }, 'Normal', 'RemovingNode', `Removing Node ${name} from Controller`);
      this.known.delete(name);
      this.health.delete(name);
      this.toTaint.delete(name);
    }
    const zoneConditions = new Map<string, Array<NodeCondition | undefined>>();
    for (const node of nodes) {
      const { observed, current } = await this.tryUpdateNodeHealth(node);
      if (!(EXCLUDE_DISRUPTION_LABEL in (node.metadata.labels ?? {}))) {
        const zone = zoneKey(node);
        zoneConditions.set(zone, [...(zoneConditions.get(zone) ?? []), current]);
      }
      if (!current) continue;
      await this.processTaintBaseEviction(node, observed);
      const pods = this.pods.byIndex('spec.nodeName', node.metadata.name);
      const transitioned = current.status !== 'True' && observed.status === 'True';
      if (transitioned) this.recorder.event(nodeRef(node), 'Normal', 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`);
      if (transitioned || (this.nodesToRetry.has(node.metadata.name) && observed.status !== 'True')) {
        try {
          await this.markPodsNotReady(pods, node.metadata.name);
          this.nodesToRetry.delete(node.metadata.name);
        } catch (e) {
          log.error('Unable to mark all pods NotReady on node, queuing for retry', { node: node.metadata.name, err: e });
          this.nodesToRetry.add(node.metadata.name);
        }
      }
    }
    await this.handleDisruption(zoneConditions, nodes);
    await this.doNoExecuteTaintingPass();
  }

  /** The Ready condition as the kubelet left it (observed) and as it is after this pass (current). */
  private async tryUpdateNodeHealth(node: Node): Promise<{ observed: NodeCondition; current?: NodeCondition }> {
    const name = node.metadata!.name!;
    const now = this.clock.now();
    const posted = readyCondition(node);
    const created = Date.parse(node.metadata?.creationTimestamp ?? '') || now;
    const observed: NodeCondition = posted ?? { type: 'Ready', status: 'Unknown', lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: node.metadata?.creationTimestamp };
    const gracePeriod = posted ? this.opts.nodeMonitorGracePeriodMs : this.opts.nodeStartupGracePeriodMs;
    let health = this.health.get(name);
    if (!health) health = { ready: posted, probeTimestamp: posted ? now : created };
    else if (!health.ready !== !posted || (health.ready && posted && health.ready.lastHeartbeatTime !== posted.lastHeartbeatTime)) {
      health = { ready: posted, probeTimestamp: now, leaseRenewTime: health.leaseRenewTime };
    }
    // A renewed Lease counts as a heartbeat.
    const lease = this.leases.getByName(LEASE_NAMESPACE, name);
    const renew = Date.parse(lease?.spec?.renewTime ?? '');
    if (Number.isFinite(renew) && (health.leaseRenewTime === undefined || health.leaseRenewTime < renew)) {
      health = { ...health, leaseRenewTime: renew, probeTimestamp: now };
    }
    this.health.set(name, health);
    if (now <= health.probeTimestamp + gracePeriod) return { observed, current: posted };
    const conditions = unknownConditions(node, now);
    const current = conditions.find((c) => c.type === 'Ready');
    if (JSON.stringify(current) === JSON.stringify(posted)) return { observed, current };
    const updated = await this.updateNodeConditions(node, now);
    const ready = updated ? readyCondition(updated) : current;
    this.health.set(name, { ...health, ready });
    return { observed, current: ready };
  }

  /** UpdateStatus with the silent node's conditions, re-reading the node on conflict. */
  private async updateNodeConditions(node: Node, now: number): Promise<Node | undefined> {
    const nodes = this.client.resource(REFS.nodes);
    let fresh = node;
    for (let i = 0; ; i++) {
      try {
        return await nodes.updateStatus('', { ...fresh, status: { ...fresh.status, conditions: unknownConditions(fresh, now) } });
      } catch (e) {
        if (isStatusError(e, 'NotFound')) return undefined;
        if (!isStatusError(e, 'Conflict') || i >= NODE_STATUS_UPDATE_RETRY) throw e;
        fresh = await nodes.get('', node.metadata!.name!);
      }
    }
  }

  private async processTaintBaseEviction(node: Node, observed: NodeCondition): Promise<void> {
    const name = node.metadata!.name!;
    if (observed.status === 'False' || observed.status === 'Unknown') {
      const [add, opposite] = observed.status === 'False' ? [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE] : [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE];
      // Already tainted with the other one: swap at once.
      if (hasTaint(node, opposite.key, opposite.effect)) await this.swapNodeTaints(node, [add], [opposite]);
      else if (!hasTaint(node, add.key, add.effect)) this.toTaint.add(name);
    } else if (observed.status === 'True') {
      await this.markNodeAsReachable(node);
    }
  }

  private async markNodeAsReachable(node: Node): Promise<void> {
    this.toTaint.delete(node.metadata!.name!);
    const remove = [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE].filter((t) => hasTaint(node, t.key, t.effect));
    if (remove.length) await this.swapNodeTaints(node, [], remove);
  }

  /** handleDisruption: when every zone is fully disrupted the problem is the control plane's, not the nodes': no evictions. */
  private async handleDisruption(zoneConditions: Map<string, Array<NodeCondition | undefined>>, nodes: Node[]): Promise<void> {
    const next = new Map<string, ZoneState>();
    for (const [zone, conds] of zoneConditions) next.set(zone, computeZoneState(conds, this.opts.unhealthyZoneThreshold));
    const allAre = next.size > 0 && [...next.values()].every((s) => s === 'FullDisruption');
    // A zone seen for the first time was not disrupted before.
    const allWere = next.size > 0 && [...next.keys()].every((z) => this.zoneStates.get(z) === 'FullDisruption');
    if (allAre && !allWere) {
      log.info('Controller detected that all Nodes are not-Ready. Entering master disruption mode');
      for (const node of nodes) await this.markNodeAsReachable(node);
    } else if (!allAre && allWere) {
      log.info('Controller detected that some Nodes are Ready. Exiting master disruption mode');
      const now = this.clock.now();
      for (const [name, h] of this.health) this.health.set(name, { ...h, probeTimestamp: now });
    }
    this.zoneStates = next;
  }

  /** Whether the zone's NoExecute tainter may run (its eviction rate is not zero). */
  private zoneEvicts(zone: string): boolean {
    const state = this.zoneStates.get(zone);
    const all = [...this.zoneStates.values()].every((s) => s === 'FullDisruption');
    if (state === 'FullDisruption') return !all;
    if (state === 'PartialDisruption') return this.nodes.list().filter((n) => zoneKey(n) === zone).length > this.opts.largeClusterSizeThreshold;
    return true;
  }

  /** doNoExecuteTaintingPass: unreachable and not-ready are exclusive, as the Ready condition is. */
  private async doNoExecuteTaintingPass(): Promise<void> {
    for (const name of [...this.toTaint]) {
      const node = this.nodes.getByName('', name);
      if (!node) {
        this.toTaint.delete(name);
        continue;
      }
      if (!this.zoneEvicts(zoneKey(node))) continue;
      const status = readyCondition(node)?.status;
      if (!status) continue;
      this.toTaint.delete(name);
      if (status === 'True') continue;
      const [add, opposite] = status === 'False' ? [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE] : [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE];
      await this.swapNodeTaints(node, [add], [opposite]).catch((e) => {
        log.error('Failed to taint node, will retry', { node: name, err: e });
        this.toTaint.add(name);
      });
    }
  }

  private async swapNodeTaints(node: Node, add: Taint[], remove: Taint[]): Promise<void> {
    const nodes = this.client.resource(REFS.nodes);
    let fresh = node;
    for (let i = 0; ; i++) {
      const taints = swapTaints(fresh.spec?.taints, add, remove, this.clock.now());
      if (!taints) return;
      try {
        await nodes.update('', { ...fresh, spec: { ...fresh.spec, taints } });
        return;
      } catch (e) {
        if (isStatusError(e, 'NotFound')) return;
        if (!isStatusError(e, 'Conflict') || i >= NODE_STATUS_UPDATE_RETRY) throw e;
        fresh = await nodes.get('', node.metadata!.name!);
      }
    }
  }

  /** controllerutil.MarkPodsNotReady: Ready=False on each pod of the node, with a NodeNotReady event. */
  private async markPodsNotReady(pods: Pod[], nodeName: string): Promise<void> {
    const errors: unknown[] = [];
    for (const p of pods) {
      if (p.spec?.nodeName !== nodeName) continue;
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
      if (!ready) continue;
      const pod = structuredClone(p);
      if (!updatePodCondition(pod.status!, { ...ready, status: 'False' }, this.clock.now())) continue;
      try {
        await this.client.resource(REFS.pods).updateStatus(pod.metadata!.namespace!, pod);
      } catch (e) {
        if (isStatusError(e, 'NotFound')) continue;
        errors.push(e);
      }
      this.recorder.event({ kind: 'Pod', apiVersion: 'v1', metadata: pod.metadata }, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
    if (errors.length) throw errors[0];
  }
}
