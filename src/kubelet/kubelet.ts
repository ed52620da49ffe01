// The node agent: registers the Node, renews its Lease, reports node status, and runs a PodWorker for
// every pod bound to the node. It also answers `kubectl logs` and `kubectl exec` for those pods.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { REFS } from '../client/client.js';
import { EventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import type { Stored } from '../client/objects.js';
import type { Controller, ControllerContext } from '../controllers/context.js';
import type { Timer } from '../machinery/clock.js';
import { badRequest, isStatusError, notFound } from '../machinery/errors.js';
import { logger } from '../machinery/log.js';
import type { AttachRequest, ExecRequest, ExecSession, Runtime } from '../runtime/runtime.js';
import { PodIPAM } from './ipam.js';
import { logContainerID, validateContainer } from './logs.js';
import { LEASE_DURATION_SECONDS, leaseRenewMs, NodeLease } from './nodelease.js';
import { nodeLabels, nodeObject, nodeStatus, readSystemInfo, type NodeSpecInput } from './nodestatus.js';
import { PodResources } from './podresources.js';
import { PodWorker } from './podworker.js';

export interface KubeletOptions {
  nodeName: string;
  podCIDR: string;
  nodeIP: string;
  runtime: Runtime;
  /** Default simulated time to start / stop a container (`--sim-start-delay`, `--sim-stop-delay`). */
  startDelayMs: number;
  stopDelayMs: number;
  /** Extra node labels, e.g. `node-role.kubernetes.io/control-plane: ""` for the first node. */
  labels?: Record<string, string>;
  /**
   * nodeLeaseDurationSeconds (40): the Lease is renewed every quarter of it, and status is posted at
   * least every three quarters, so a node controller with the same grace period sees it alive.
   */
  leaseDurationSeconds?: number;
  /** For a runtime that runs real processes: the node's directory and the cluster DNS the pods use. */
  processes?: { rootDir: string; clusterDNS: string[]; clusterDomain: string };
}

/** The query of GET pods/<name>/log, plus a signal that ends a follow stream. */
export interface PodLogOptions {
  follow?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  /** RFC 3339 */
  sinceTime?: string;
  limitBytes?: number;
  signal?: AbortSignal;
}

/** How often the kubelet posts node status when nothing changed (kept within the 40 s node grace period). */
export const NODE_STATUS_REPORT_MS = 30_000;
const statusReportMs = (leaseDurationSeconds: number): number => Math.min(NODE_STATUS_REPORT_MS, leaseDurationSeconds * 750);
const REGISTER_RETRY_MS = 1000;
const log = logger('kubelet');
const PODS = { group: '', plural: 'pods' };
/** A Node annotated with this set to "true" simulates a crashed or partitioned machine: its kubelet goes silent. */
export const NODE_DOWN_ANNOTATION = 'sim.k8ts.io/down';
const isDown = (node: Node | undefined): boolean => node?.metadata?.annotations?.[NODE_DOWN_ANNOTATION] === 'true';

export class Kubelet implements Controller {
  readonly nodeName: string;
  private pods: Informer<Pod>;
  private nodes: Informer<Node>;
  /** The node is simulated down: no heartbeats, no pod syncs, no API writes. */
  private down = false;
  private recorder: EventRecorder;
  private node: NodeSpecInput;
  private ipam: PodIPAM;
  private lease?: NodeLease;
  private workers = new Map<string, PodWorker>();
  private byName = new Map<string, PodWorker>();
  private timers = new Map<string, Timer>();
  private unsubscribe?: () => void;
  private stopped = false;
  private registered?: Promise<void>;
  private resources?: PodResources;

  constructor(
    private ctx: ControllerContext,
    private opts: KubeletOptions,
  ) {
    this.nodeName = opts.nodeName;
    this.pods = ctx.informers.get(REFS.pods);
    this.nodes = ctx.informers.get(REFS.nodes);
    this.recorder = new EventRecorder(ctx.client, ctx.clock, { component: 'kubelet', host: opts.nodeName });
    this.ipam = new PodIPAM(opts.podCIDR);
    if (opts.processes) {
      this.resources = new PodResources({ client: ctx.client, services: ctx.informers.get(REFS.services), nodeIP: opts.nodeIP, ...opts.processes });
    }
    this.node = {
      name: opts.nodeName,
      podCIDR: opts.podCIDR,
      nodeIP: opts.nodeIP,
      containerRuntimeVersion: `${opts.runtime.type}://${opts.runtime.version}`,
      labels: opts.labels,
      sys: readSystemInfo(opts.nodeName, ctx.clock.now()),
      warnings: opts.runtime.warnings,
    };
  }

  start(): void {
    this.registered ??= this.run();
  }

  /** Resolves once the Node is registered and pods are being handled. */
  whenRegistered(): Promise<void> {
    this.start();
    return this.registered!;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.unsubscribe?.();
    for (const w of this.workers.values()) w.stop();
  }

  /**
   * The output of a container of a pod on this node, as GET pods/<name>/log serves it. Rejects with
   * StatusError 400 for an unknown or unchosen container or one with no output yet, 404 for an unknown pod.
   * Each chunk is one line ending in "\n"; with `follow` the iterable ends when the container exits or
   * `signal` aborts.
   */
  async logs(namespace: string, name: string, container: string | undefined, opts: PodLogOptions = {}): Promise<AsyncIterable<string>> {
    const { pod, worker } = this.lookup(namespace, name);
    const chosen = validateContainer(pod, container);
    if (!pod.spec?.nodeName) return (async function* () {})();
    // A pod this kubelet never ran (it finished before a restart) is described by its stored status.
    const status = worker?.sandboxId ? worker.status(false) : (pod.status ?? {});
    const id = logContainerID(name, [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])], chosen, !!opts.previous);
    let sinceMs: number | undefined;
    if (opts.sinceSeconds !== undefined) sinceMs = this.ctx.clock.now() - opts.sinceSeconds * 1000;
    else if (opts.sinceTime) sinceMs = Date.parse(opts.sinceTime);
    return this.opts.runtime.logs(id, { follow: opts.follow, tailLines: opts.tailLines, timestamps: opts.timestamps, sinceMs, limitBytes: opts.limitBytes, signal: opts.signal });
  }

  /** Exec into a container of a pod on this node; the runtime may refuse with a StatusError. */
  async exec(namespace: string, name: string, container: string | undefined, request: ExecRequest): Promise<ExecSession> {
    const { pod, worker } = this.lookup(namespace, name);
    const chosen = validateContainer(pod, container);
    if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    const id = worker?.record(chosen)?.id;
    if (!id) throw badRequest(`container not found ("${chosen}")`);
    return this.opts.runtime.exec(id, request);
  }

  /** Attach to the main process of a container of a pod on this node; the runtime may refuse with a StatusError. */
  async attach(namespace: string, name: string, container: string | undefined, request: AttachRequest): Promise<ExecSession> {
    const { pod, worker } = this.lookup(namespace, name);
    const chosen = validateContainer(pod, container);
    if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    const id = worker?.record(chosen)?.id;
    if (!id) throw badRequest(`container not found ("${chosen}")`);
    return this.opts.runtime.attach(id, request);
  }

  /**
   * A TCP connection to `port` of a Running pod on this node, at its pod IP (reachable from the host on a
   * process node). Rejects with StatusError 400 on the simulated runtime or for a pod that is not running,
   * and with the dial error when nothing listens.
   */
  async portForward(namespace: string, name: string, port: number): Promise<Duplex> {
    const { pod, worker } = this.lookup(namespace, name);
    if (this.opts.runtime.type === 'sim') throw badRequest(`port-forward is not available: pod ${name} runs on the simulated runtime (sim)`);
    const status = worker?.sandboxId ? worker.status(false) : (pod.status ?? {});
    if (pod.spec?.nodeName !== this.nodeName || status.phase !== 'Running') throw badRequest(`unable to forward port because pod is not running. Current status=${status.phase ?? 'Unknown'}`);
    if (!status.podIP) throw badRequest(`pod ${name} has no IP address yet`);
    return dialTCP(status.podIP, port);
  }

  private lookup(namespace: string, name: string): { pod: Stored<Pod>; worker?: PodWorker } {
    const worker = this.byName.get(`${namespace}/${name}`);
    const pod = worker?.pod ?? this.pods.getByName(namespace, name);
    if (!pod) throw notFound(PODS, name);
    return { pod, worker };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.register();
        break;
      } catch (e) {
        log.error('Unable to register node with API server', { node: this.nodeName, err: e });
        await this.ctx.clock.sleep(REGISTER_RETRY_MS);
      }
    }
    if (this.stopped) return;
    this.unsubscribe = this.opts.runtime.subscribe((ev) => {
      if (!this.down) this.workers.get(ev.podUID)?.onRuntimeEvent(ev);
    });
    const own = (node: Stored<Node>) => {
      if (node.metadata.name !== this.nodeName) return;
      this.setDown(isDown(node));
      // Someone else (the node controller, after missed heartbeats) said this node is not Ready: a live
      // kubelet corrects it, as its next status update would upstream.
      if (!this.down && node.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') this.correctStatus();
    };
    this.nodes.addHandler({ add: own, update: (_old, node) => own(node) });
    this.pods.addHandler({
      add: (pod) => this.podChanged(pod),
      update: (old, pod) => {
        if (old.metadata.uid !== pod.metadata.uid) this.podGone(old);
        this.podChanged(pod);
      },
      delete: (pod) => this.podGone(pod),
    });
    const leaseSeconds = this.opts.leaseDurationSeconds ?? LEASE_DURATION_SECONDS;
    this.every('lease', leaseRenewMs(leaseSeconds), () => (this.down ? Promise.resolve() : this.lease!.renew()));
    this.every('status', statusReportMs(leaseSeconds), () => (this.down ? Promise.resolve() : this.postStatus()), statusReportMs(leaseSeconds));
  }

  private async register(): Promise<void> {
    const nodes = this.ctx.client.resource(REFS.nodes);
    let node: Stored<Node>;
    try {
      node = await nodes.create('', nodeObject(this.node));
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists')) throw e;
      node = await this.reconcileExisting();
    }
    this.down = isDown(node);
    // An existing node keeps the pod CIDR it was given.
    if (node.spec?.podCIDR && node.spec.podCIDR !== this.node.podCIDR) {
      this.node.podCIDR = node.spec.podCIDR;
      this.ipam = new PodIPAM(node.spec.podCIDR);
    }
    if (!this.down) node = await nodes.updateStatus('', { ...node, status: nodeStatus(this.node, node.status, this.ctx.clock.now()) });
    this.lease = new NodeLease(this.ctx.client, this.ctx.clock, this.nodeName, node.metadata.uid, this.opts.leaseDurationSeconds);
    const ref = { kind: 'Node', metadata: { name: this.nodeName, uid: this.nodeName } };
    this.recorder.event(ref, 'Normal', 'Starting', 'Starting kubelet.');
    this.recorder.event(ref, 'Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
    for (const reason of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) {
      this.recorder.event(ref, 'Normal', reason, `Node ${this.nodeName} status is now: ${reason}`);
    }
  }

  /** A Node from an earlier run: make sure it carries our labels and a pod CIDR. */
  private async reconcileExisting(): Promise<Stored<Node>> {
    const nodes = this.ctx.client.resource(REFS.nodes);
    const node = await nodes.get('', this.nodeName);
    const labels = { ...node.metadata.labels, ...nodeLabels(this.node) };
    const spec = node.spec?.podCIDR ? node.spec : { ...node.spec, podCIDR: this.node.podCIDR, podCIDRs: [this.node.podCIDR] };
    if (JSON.stringify(labels) === JSON.stringify(node.metadata.labels) && spec === node.spec) return node;
    return nodes.update('', { ...node, metadata: { ...node.metadata, labels }, spec });
  }

  private correcting = false;

  private correctStatus(): void {
    if (this.correcting || this.stopped) return;
    this.correcting = true;
    void this.postStatus()
      .catch((e) => log.error('Posting node status failed, will retry', { node: this.nodeName, err: e }))
      .finally(() => (this.correcting = false));
  }

  private async postStatus(): Promise<void> {
    const { clock } = this.ctx;
    const nodes = this.ctx.client.resource(REFS.nodes);
    const node = await nodes.get('', this.nodeName);
    const wasReady = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    await nodes.updateStatus('', { ...node, status: nodeStatus(this.node, node.status, clock.now()) });
    if (wasReady !== undefined && wasReady !== 'True') {
      this.recorder.event({ kind: 'Node', metadata: { name: this.nodeName, uid: this.nodeName } }, 'Normal', 'NodeReady', `Node ${this.nodeName} status is now: NodeReady`);
    }
  }

  /**
   * Going down pauses every pod worker (containers keep running, nothing is reported). Coming back the
   * kubelet heartbeats at once and reconciles with the API: pods deleted meanwhile are killed and their
   * deletion completed, pods bound meanwhile start.
   */
  private setDown(down: boolean): void {
    if (down === this.down) return;
    this.down = down;
    log.info(down ? 'Node is down (simulated): heartbeats and pod syncs stop' : 'Node is back up (simulated)', { node: this.nodeName });
    if (down) {
      for (const w of this.workers.values()) w.pause();
      return;
    }
    for (const w of this.workers.values()) w.resume();
    const pods = this.pods.list().filter((p) => p.spec?.nodeName === this.nodeName);
    for (const pod of pods) this.podChanged(pod);
    const live = new Set(pods.map((p) => p.metadata.uid));
    for (const w of [...this.workers.values()]) if (!live.has(w.uid)) this.podGone(w.pod);
    const beat = (name: string, fn: () => Promise<void>) => fn().catch((e) => log.error('Periodic task failed, will retry', { task: name, node: this.nodeName, err: e }));
    void beat('lease', () => this.lease!.renew()).then(() => beat('status', () => this.postStatus()));
  }

  /** Run `fn` now (or after `firstMs`) and then every `ms`, until stop(). */
  private every(name: string, ms: number, fn: () => Promise<void>, firstMs = 0): void {
    const tick = async () => {
      if (this.stopped) return;
      await fn().catch((e) => log.error('Periodic task failed, will retry', { task: name, node: this.nodeName, err: e }));
      if (!this.stopped) this.timers.set(name, this.ctx.clock.setTimeout(tick, ms));
    };
    this.timers.set(name, this.ctx.clock.setTimeout(tick, firstMs));
  }

  private podChanged(pod: Stored<Pod>): void {
    if (this.stopped || this.down || pod.spec?.nodeName !== this.nodeName) return;
    const existing = this.workers.get(pod.metadata.uid);
    if (existing) return existing.update(pod);
    const worker = new PodWorker(
      {
        client: this.ctx.client,
        clock: this.ctx.clock,
        runtime: this.opts.runtime,
        recorder: this.recorder,
        ipam: this.ipam,
        nodeIP: this.opts.nodeIP,
        startDelayMs: this.opts.startDelayMs,
        stopDelayMs: this.opts.stopDelayMs,
        resources: this.resources,
        finished: (w) => {
          if (w.removed) this.drop(w);
        },
      },
      pod,
    );
    this.workers.set(worker.uid, worker);
    this.byName.set(`${worker.namespace}/${worker.name}`, worker);
    worker.requestSync();
  }

  private podGone(pod: Stored<Pod>): void {
    if (this.down || pod.spec?.nodeName !== this.nodeName) return;
    const worker = this.workers.get(pod.metadata.uid);
    if (!worker) return;
    if (worker.done) this.drop(worker);
    else worker.markRemoved();
  }

  private drop(worker: PodWorker): void {
    this.workers.delete(worker.uid);
    const key = `${worker.namespace}/${worker.name}`;
    if (this.byName.get(key) === worker) this.byName.delete(key);
  }
}

/** Go's dial error texts, which the kubelet reports on the port-forward error stream. */
const DIAL_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
};

/** Resolves once connected; half-open, so a pod that stops sending can still receive. */
export function dialTCP(ip: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ip, port, allowHalfOpen: true });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const why = DIAL_ERRORS[e.code ?? ''] ?? e.message;
      const net = ip.includes(':') ? 'tcp6' : 'tcp4';
      const addr = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
      reject(new Error(`failed to connect to ${addr}: dial ${net} ${addr}: connect: ${why}`));
    });
  });
}
