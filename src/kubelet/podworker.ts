// One pod on the node: creates its sandbox, runs init containers one by one, starts and restarts
// containers under the restart policy and back-off, reports status, and tears the pod down when it is
// deleted. Everything it does is a reaction to a pod update, a runtime event or a due back-off; syncs of
// one pod never overlap, and each sync writes the status once, only when it changed.

import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import type { Stored } from '../client/objects.js';
import { rfc3339, type Clock, type Timer } from '../machinery/clock.js';
import { isStatusError } from '../machinery/errors.js';
import { logger } from '../machinery/log.js';
import { deepEqual } from '../machinery/objects.js';
import type { ContainerKind, Runtime, RuntimeEvent } from '../runtime/runtime.js';
import { Backoff, goDuration } from './backoff.js';
import { containerStatuses, recoveredRecords, terminatedState, type ContainerRecord } from './containerstatus.js';
import type { PodIPAM } from './ipam.js';
import { buildPodStatus, isRestartableInitContainer } from './podstatus.js';
import { killContainers, type KillTarget } from './podkill.js';
import { ImagePulls } from './imagepull.js';
import { ContainerConfigError, type PodResources } from './podresources.js';
import { VolumeError } from './volumes/volumemanager.js';

const log = logger('kubelet');

export interface WorkerDeps {
  client: Client;
  clock: Clock;
  runtime: Runtime;
  recorder: EventRecorder;
  ipam: PodIPAM;
  nodeIP: string;
  startDelayMs: number;
  stopDelayMs: number;
  /** Volumes, /etc files and environments for a runtime that runs real processes. */
  resources?: PodResources;
  /** Called once the worker released the pod's sandbox and IP. */
  finished(worker: PodWorker): void;
}

const RETRY_MS = 1000;

export class PodWorker {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  sandboxId?: string;
  /** The object is gone from the API. */
  removed = false;
  /** Sandbox and IP are released; nothing more happens. */
  done = false;
  private seen: Stored<Pod>;
  private written?: Stored<Pod>;
  private ip?: string;
  private ipReleased = false;
  private startTime = '';
  private records = new Map<string, ContainerRecord>();
  private backoff = new Backoff();
  private wake?: { at: number; timer: Timer };
  private syncing = false;
  private again = false;
  private stopped = false;
  private killing = false;
  /** The node is simulated down: no syncs and no API writes until resume(). */
  private paused = false;
  /** Pod has reached Succeeded or Failed; its containers stay for logs until it is deleted. */
  private terminal = false;
  private scriptKey = '';
  /** Volume name → host path, once the volumes are set up (process runtimes only). */
  private volumes?: Map<string, string>;
  private images: ImagePulls;

  constructor(
    private deps: WorkerDeps,
    pod: Stored<Pod>,
  ) {
    this.seen = pod;
    this.uid = pod.metadata.uid;
    this.namespace = pod.metadata.namespace!;
    this.name = pod.metadata.name;
    this.images = new ImagePulls(deps.runtime, deps.clock);
  }

  /** The newest copy of the pod: the informer's, or the one our last status write returned. */
  get pod(): Stored<Pod> {
    if (this.written && Number(this.written.metadata.resourceVersion) > Number(this.seen.metadata.resourceVersion)) return this.written;
    return this.seen;
  }

  update(pod: Stored<Pod>): void {
    const before = this.pod.metadata.deletionGracePeriodSeconds;
    this.seen = pod;
    // The echo of our own status write: nothing to react to.
    if (pod.metadata.resourceVersion === this.written?.metadata.resourceVersion) return;
    const grace = pod.metadata.deletionGracePeriodSeconds;
    // A second delete with a shorter grace period shortens the wait of containers being stopped.
    if (this.killing && grace !== undefined && (before === undefined || grace < before)) this.shortenGrace(grace * 1000);
    this.requestSync();
  }

  /** The pod object was deleted from the API (force deletion, or after our own final delete). */
  markRemoved(): void {
    this.removed = true;
    this.shortenGrace(0);
    this.requestSync();
  }

  stop(): void {
    this.stopped = true;
    this.wake?.timer.cancel();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.requestSync();
  }

  record(name: string): ContainerRecord | undefined {
    return this.records.get(name);
  }

  onRuntimeEvent(ev: RuntimeEvent): void {
    const rec = [...this.records.values()].find((r) => r.id === ev.containerId);
    if (!rec) return;
    if (ev.type === 'ContainerStarted') this.event('Normal', 'Started', `Started container ${rec.name}`, rec);
    if (ev.type === 'ContainerNotReady' && !this.killing && ev.message) this.event('Warning', 'Unhealthy', `Readiness probe failed: ${ev.message}`, rec);
    if (ev.type === 'ContainerUnhealthy' && !this.killing) this.restartUnhealthy(rec, ev.containerId, ev.message ?? '');
    if (ev.type === 'PostStartHookFailed') this.event('Warning', 'FailedPostStartHook', ev.message ?? '', rec);
    if (ev.type === 'PreStopHookFailed') this.event('Warning', 'FailedPreStopHook', ev.message ?? '', rec);
    this.requestSync();
  }

  requestSync(): void {
    if (this.done || this.stopped || this.paused) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    void this.runSyncs();
  }

  private async runSyncs(): Promise<void> {
    this.syncing = true;
    try {
      do {
        this.again = false;
        await this.sync();
      } while (this.again && !this.done && !this.stopped && !this.paused);
    } catch (e) {
      log.error('Error syncing pod, skipping', { pod: `${this.namespace}/${this.name}`, podUID: this.uid, err: e });
      this.wakeAt(this.deps.clock.now() + RETRY_MS);
    } finally {
      this.syncing = false;
    }
  }

  private async sync(): Promise<void> {
    const pod = this.pod;
    if (this.removed) return this.cleanUp();
    if (pod.metadata.deletionTimestamp) return this.terminate();
    if (this.terminal) return;
    if (!this.sandboxId) {
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
        this.terminal = true;
        return;
      }
      this.startTime ||= pod.status?.startTime ?? rfc3339(this.deps.clock.now());
      if (this.deps.resources && !(await this.mountVolumes(pod))) return this.writeStatus(false);
      await this.createSandbox(pod);
      // Report ContainerCreating (or Init:0/N) before anything starts, as the kubelet's first sync does.
      await this.writeStatus(false);
    }
    this.pushScript(pod);
    const now = this.deps.clock.now();
    if (await this.syncInitContainers(pod, now)) await this.syncContainers(pod, now);
    const phase = this.status(false).phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.terminal = true;
      this.wake?.timer.cancel();
      await this.deps.runtime.stopPodSandbox(this.sandboxId!);
      this.releaseIP();
    }
    await this.writeStatus(false);
  }

  private async createSandbox(pod: Stored<Pod>): Promise<void> {
    const { deps } = this;
    this.startTime ||= pod.status?.startTime ?? rfc3339(deps.clock.now());
    if (!this.records.size) for (const rec of recoveredRecords(pod)) this.records.set(rec.name, rec);
    try {
      this.ip = pod.spec!.hostNetwork ? deps.nodeIP : deps.ipam.allocate(pod.status?.podIP);
      this.ipReleased = false;
      this.sandboxId = await deps.runtime.runPodSandbox({
        name: this.name,
        namespace: this.namespace,
        uid: this.uid,
        hostname: pod.spec!.hostname ?? this.name,
        ip: this.ip,
        annotations: pod.metadata.annotations ?? {},
        startDelayMs: deps.startDelayMs,
        stopDelayMs: deps.stopDelayMs,
        runTimeMs: ownedByJob(pod) ? JOB_POD_RUN_TIME_MS : undefined,
        linux: deps.resources && (await deps.resources.sandbox(pod, this.ip)),
      });
    } catch (e) {
      this.releaseIP();
      this.ip = undefined;
      this.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
      throw e;
    }
    this.scriptKey = scriptKey(pod);
  }

  private pushScript(pod: Stored<Pod>): void {
    const key = scriptKey(pod);
    if (key === this.scriptKey) return;
    this.scriptKey = key;
    this.deps.runtime.updatePodSandbox(this.sandboxId!, pod.metadata.annotations ?? {});
  }

  /** Runs init containers in order; true once all are done (regular ones succeeded, sidecars started). */
  private async syncInitContainers(pod: Stored<Pod>, now: number): Promise<boolean> {
    const specs: Container[] = pod.spec!.initContainers ?? [];
    const regularStarted = (pod.spec!.containers ?? []).some((c) => this.records.get(c.name)?.id);
    for (const [i, spec] of specs.entries()) {
      const sidecar = isRestartableInitContainer(spec);
      const rec = this.ensureRecord(spec.name, sidecar ? 'sidecar' : 'init', i);
      const rt = rec.id ? this.deps.runtime.containerStatus(rec.id) : undefined;
      if (!rt) {
        await this.startContainer(pod, spec, rec);
        if (!sidecar || !regularStarted) return false;
        continue;
      }
      if (sidecar) {
        if (rt.state === 'exited') await this.restart(pod, spec, rec, rt.finishedAt!, now);
        if (rt.state !== 'running' && !regularStarted) return false;
        continue;
      }
      if (rt.state !== 'exited') return false;
      if (rt.exitCode === 0) continue;
      if (pod.spec!.restartPolicy !== 'Never') await this.restart(pod, spec, rec, rt.finishedAt!, now);
      return false;
    }
    return true;
  }

  private async syncContainers(pod: Stored<Pod>, now: number): Promise<void> {
    for (const [i, spec] of (pod.spec!.containers ?? []).entries()) {
      const rec = this.ensureRecord(spec.name, 'regular', i);
      const rt = rec.id ? this.deps.runtime.containerStatus(rec.id) : undefined;
      if (!rt) await this.startContainer(pod, spec, rec);
      else if (rt.state === 'exited' && shouldRestart(pod.spec!.restartPolicy, rt.exitCode ?? 0)) await this.restart(pod, spec, rec, rt.finishedAt!, now);
    }
  }

  /** Restart an exited container now, or wait out its back-off showing CrashLoopBackOff. */
  private async restart(pod: Stored<Pod>, spec: Container, rec: ContainerRecord, finishedAt: number, now: number): Promise<void> {
    const { backoff } = this;
    if (backoff.isInBackOffSince(rec.name, finishedAt, now)) {
      const message = `back-off ${goDuration(backoff.get(rec.name))} restarting failed container=${rec.name} pod=${this.name}_${this.namespace}(${this.uid})`;
      if (!rec.backOff) this.event('Warning', 'BackOff', `Back-off restarting failed container ${rec.name} in pod ${this.name}_${this.namespace}(${this.uid})`, rec);
      rec.backOff = { reason: 'CrashLoopBackOff', message };
      this.wakeAt(finishedAt + backoff.get(rec.name));
      return;
    }
    backoff.next(rec.name, finishedAt, now);
    await this.startContainer(pod, spec, rec);
  }

  private async startContainer(pod: Stored<Pod>, spec: Container, rec: ContainerRecord): Promise<void> {
    const { runtime } = this.deps;
    if (rec.id) {
      const prev = runtime.containerStatus(rec.id);
      if (prev) rec.lastTerminated = terminatedState(prev, runtime.type);
      if (rec.previousId) void runtime.removeContainer(rec.previousId);
      rec.previousId = rec.id;
      rec.id = undefined;
      rec.restartCount++;
    }
    rec.backOff = undefined;
    const pulled = await this.images.ensure(spec, (type, reason, message) => this.event(type, reason, message, rec));
    if (!pulled.ok) {
      rec.backOff = pulled.waiting;
      this.wakeAt(pulled.retryAt);
      return;
    }
    let linux;
    try {
      linux = this.deps.resources && (await this.deps.resources.container(pod, spec, this.volumes!, this.ip!));
    } catch (e) {
      if (!(e instanceof ContainerConfigError)) throw e;
      rec.backOff = { reason: 'CreateContainerConfigError', message: e.message };
      this.event('Warning', 'Failed', `Error: ${e.message}`, rec);
      this.wakeAt(this.deps.clock.now() + RETRY_MS * 2);
      return;
    }
    const id = await runtime.createContainer(this.sandboxId!, {
      name: spec.name,
      kind: rec.kind,
      index: rec.index,
      attempt: rec.restartCount,
      image: spec.image!,
      command: spec.command,
      args: spec.args,
      readinessProbe: spec.readinessProbe,
      linux,
    });
    rec.id = id;
    this.event('Normal', 'Created', `Created container ${spec.name}`, rec);
    runtime.startContainer(id).catch(() => this.requestSync());
  }

  /** Volumes first, as the kubelet waits for them before the sandbox; false (after a FailedMount event) to retry. */
  private async mountVolumes(pod: Stored<Pod>): Promise<boolean> {
    try {
      this.volumes = await this.deps.resources!.volumes.setUp(pod);
      return true;
    } catch (e) {
      if (!(e instanceof VolumeError)) throw e;
      this.event('Warning', 'FailedMount', e.message);
      this.wakeAt(this.deps.clock.now() + RETRY_MS * 2);
      return false;
    }
  }

  /** A liveness or startup probe failed its threshold: the container is killed and restarts under the policy. */
  private restartUnhealthy(rec: ContainerRecord, containerId: string, message: string): void {
    if (rec.id !== containerId) return;
    this.event('Warning', 'Unhealthy', message, rec);
    const kind = message.startsWith('Startup') ? 'startup' : 'liveness';
    this.event('Normal', 'Killing', `Container ${rec.name} failed ${kind} probe, will be restarted`, rec);
    const pod = this.pod;
    void this.deps.runtime.stopContainer(containerId, (pod.spec!.terminationGracePeriodSeconds ?? 30) * 1000).then(() => this.requestSync());
  }

  /** Graceful deletion: preStop and stop every container within the grace period, report, delete. */
  private async terminate(): Promise<void> {
    if (!this.sandboxId) {
      await this.deletePod();
      return this.finish();
    }
    if (!this.killing) {
      this.killing = true;
      this.wake?.timer.cancel();
      const pod = this.pod;
      const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? pod.spec!.terminationGracePeriodSeconds ?? 30) * 1000;
      await killContainers(this.deps, this.killTargets(pod), graceMs, (rec) => this.event('Normal', 'Killing', `Stopping container ${rec.name}`, rec));
    }
    // The node went down while the containers stopped: report and delete once it is back.
    if (this.paused) return;
    await this.deps.runtime.stopPodSandbox(this.sandboxId);
    this.terminal = true;
    if (!this.removed) await this.writeStatus(true);
    await this.deletePod();
    this.finish();
  }

  private killTargets(pod: Stored<Pod>): KillTarget[] {
    const specs = [...(pod.spec!.initContainers ?? []), ...(pod.spec!.containers ?? [])];
    const out: KillTarget[] = [];
    for (const rec of this.records.values()) {
      if (rec.id) out.push({ rec, id: rec.id, preStop: specs.find((s) => s.name === rec.name)?.lifecycle?.preStop });
    }
    return out;
  }

  private shortenGrace(graceMs: number): void {
    for (const rec of this.records.values()) if (rec.id) void this.deps.runtime.stopContainer(rec.id, graceMs);
  }

  private async cleanUp(): Promise<void> {
    if (this.sandboxId) await this.deps.runtime.stopPodSandbox(this.sandboxId);
    this.finish();
  }

  private async deletePod(): Promise<void> {
    try {
      await this.deps.client.resource(REFS.pods).delete(this.namespace, this.name, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.wake?.timer.cancel();
    const { runtime, resources } = this.deps;
    const sandboxId = this.sandboxId;
    void (async () => {
      if (sandboxId) await runtime.removePodSandbox(sandboxId);
      await resources?.volumes.tearDown(this.uid);
    })().catch((e: unknown) => log.error('Removing the pod sandbox failed', { pod: `${this.namespace}/${this.name}`, err: e }));
    this.releaseIP();
    this.deps.finished(this);
  }

  /** Gives the address back to the node's range; status keeps showing it, as it does upstream. */
  private releaseIP(): void {
    if (this.ip && !this.ipReleased && !this.pod.spec!.hostNetwork) this.deps.ipam.release(this.ip);
    this.ipReleased = true;
  }

  status(podIsTerminal: boolean): PodStatus {
    const pod = this.pod;
    const { init, regular } = containerStatuses(pod, this.records, this.deps.runtime);
    return buildPodStatus({
      pod,
      hostIP: this.deps.nodeIP,
      podIP: this.ip,
      startTime: this.startTime,
      sandboxReady: this.sandboxId !== undefined && !this.terminal,
      initContainerStatuses: init,
      containerStatuses: regular,
      podIsTerminal,
      now: this.deps.clock.now(),
    });
  }

  private async writeStatus(podIsTerminal: boolean): Promise<void> {
    if (this.stopped || this.paused) return;
    const pod = this.pod;
    const status = this.status(podIsTerminal);
    if (deepEqual(status, pod.status)) return;
    try {
      this.written = await this.deps.client.resource(REFS.pods).updateStatus(this.namespace, { ...pod, status });
    } catch (e) {
      if (isStatusError(e, 'NotFound')) this.removed = true;
      else if (!isStatusError(e, 'Conflict')) throw e;
      else {
        const fresh = await this.deps.client.resource(REFS.pods).get(this.namespace, this.name).catch((ge) => {
          if (!isStatusError(ge, 'NotFound')) log.error('Failed to re-read pod after a status conflict', { pod: `${this.namespace}/${this.name}`, err: ge });
          return undefined;
        });
        if (!fresh || fresh.metadata.uid !== this.uid) this.removed = true;
        else this.written = fresh;
      }
      this.again = true;
    }
  }

  private ensureRecord(name: string, kind: ContainerKind, index: number): ContainerRecord {
    let rec = this.records.get(name);
    if (!rec) {
      rec = { name, kind, index, restartCount: 0 };
      this.records.set(name, rec);
    }
    rec.kind = kind;
    rec.index = index;
    return rec;
  }

  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at && this.wake.at >= this.deps.clock.now()) return;
    this.wake?.timer.cancel();
    const timer = this.deps.clock.setTimeout(() => {
      this.wake = undefined;
      this.requestSync();
    }, at - this.deps.clock.now());
    this.wake = { at, timer };
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, rec?: ContainerRecord): void {
    const pod = this.pod;
    const fieldPath = rec ? `spec.${rec.kind === 'regular' ? 'containers' : 'initContainers'}{${rec.name}}` : undefined;
    this.deps.recorder.event({ kind: 'Pod', apiVersion: 'v1', metadata: pod.metadata }, type, reason, message, fieldPath);
  }
}

function shouldRestart(policy: string | undefined, exitCode: number): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return exitCode !== 0;
  return true;
}

/** A Job's pod finishes its work after this long on a simulated node (as kwok's pod-complete stage), unless scripted otherwise. */
const JOB_POD_RUN_TIME_MS = 1000;

const ownedByJob = (pod: Pod): boolean => !!pod.metadata?.ownerReferences?.some((o) => o.controller && o.kind === 'Job' && o.apiVersion === 'batch/v1');

/** The annotations a simulated runtime reads; other annotation changes need no runtime call. */
function scriptKey(pod: Pod): string {
  const a = pod.metadata!.annotations ?? {};
  return JSON.stringify(Object.keys(a).filter((k) => k.startsWith('sim.k8ts.io/')).sort().map((k) => [k, a[k]]));
}
