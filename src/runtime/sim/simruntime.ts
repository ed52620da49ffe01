// The simulated runtime: no processes. Containers start after the start delay, run until stopped
// (graceful exit after the stop delay, SIGKILL at the grace deadline) or until the sim.k8ts.io/exit-code
// script ends them; readiness follows sim.k8ts.io/ready on the readiness probe's schedule. Each container
// writes log lines about what happened to it. Timers exist only for transitions that are due.

import { randomBytes } from 'node:crypto';
import type { Clock, Timer } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors.js';
import type {
  ContainerConfig,
  ContainerStatus,
  ExecSession,
  LifecycleHandler,
  LogOptions,
  PodSandboxConfig,
  Runtime,
  RuntimeEvent,
} from '../runtime.js';
import { EXIT_CODE, NOT_READY_MESSAGE, readScript, RUN_TIME, type SimScript } from './annotations.js';
import { imageDigestRef, normalizeImage } from '../image.js';
import { ContainerLog } from '../logstore.js';
import { readinessFlipAt } from './readiness.js';

export const SIM_RUNTIME_VERSION = '0.1.0';

/** Exit code of a process ended by SIGKILL (128 + 9). */
const SIGKILL_EXIT = 137;

interface Sandbox {
  id: string;
  config: PodSandboxConfig;
  script: SimScript;
  containers: Set<string>;
}

interface Container {
  id: string;
  sandbox: Sandbox;
  config: ContainerConfig;
  status: ContainerStatus;
  log: ContainerLog;
  /** The one pending transition of a running container: scripted exit, graceful exit or kill. */
  timer?: Timer;
  readyTimer?: Timer;
  /** Readiness last reported; undefined until the first check. */
  reported?: boolean;
  /** When a stop was asked for: the graceful exit time and the SIGKILL deadline. */
  stop?: { exitAt: number; killAt: number };
  exited: Array<() => void>;
}

export class SimRuntime implements Runtime {
  readonly type = 'sim';
  readonly version = SIM_RUNTIME_VERSION;
  readonly runsProcesses = false;
  private sandboxes = new Map<string, Sandbox>();
  private containers = new Map<string, Container>();
  private listeners = new Set<(ev: RuntimeEvent) => void>();

  constructor(private clock: Clock) {}

  subscribe(listener: (ev: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = newID();
    this.sandboxes.set(id, { id, config, script: readScript(config.annotations, config), containers: new Set() });
    return id;
  }

  updatePodSandbox(sandboxId: string, annotations: Record<string, string>): void {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return;
    const before = sb.script;
    sb.script = readScript(annotations, sb.config);
    const now = this.clock.now();
    for (const id of sb.containers) {
      const c = this.containers.get(id)!;
      if (c.status.state !== 'running' || c.stop) continue;
      for (const p of sb.script.problems) if (!before.problems.includes(p)) this.log(c, p);
      if (sb.script.exitCode !== undefined && before.exitCode === undefined && isScriptedToExit(c)) this.scriptedExit(c);
      else if (sb.script.ready !== before.ready) this.checkReadiness(c, now);
    }
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return;
    await Promise.all([...sb.containers].map((id) => this.stopContainer(id, 0)));
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return;
    for (const id of [...sb.containers]) await this.removeContainer(id);
    this.sandboxes.delete(sandboxId);
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) throw new Error(`pod sandbox ${sandboxId} not found`);
    const id = newID();
    const image = normalizeImage(config.image);
    const status: ContainerStatus = { id, name: config.name, state: 'created', image, imageRef: imageDigestRef(image), ready: false };
    this.containers.set(id, { id, sandbox: sb, config, status, log: new ContainerLog(), exited: [] });
    sb.containers.add(id);
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.mustGet(containerId);
    if (c.status.state !== 'created') throw new Error(`container ${containerId} is ${c.status.state}, not created`);
    const delay = c.sandbox.script.startDelayMs;
    // clock.setTimeout timers do not keep the process alive; a pod starting for an hour must not either.
    if (delay > 0) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, delay));
    // Stopped or removed while starting.
    if (c.status.state !== 'created' || !this.containers.has(containerId)) return;
    this.run(c);
  }

  async stopContainer(containerId: string, timeoutMs: number): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c || c.status.state === 'exited') return;
    if (c.status.state === 'created') {
      this.exit(c, SIGKILL_EXIT);
      return;
    }
    const now = this.clock.now();
    const killAt = now + Math.max(0, timeoutMs);
    if (!c.stop) {
      this.log(c, 'received SIGTERM, shutting down');
      c.stop = { exitAt: now + c.sandbox.script.stopDelayMs, killAt };
    } else if (killAt < c.stop.killAt) c.stop.killAt = killAt;
    else return this.waitExit(c);
    const { exitAt } = c.stop;
    const graceful = exitAt <= c.stop.killAt;
    const at = Math.min(exitAt, c.stop.killAt);
    c.timer?.cancel();
    c.timer = this.clock.setTimeout(() => {
      if (!graceful) this.log(c, 'grace period over: killed with SIGKILL');
      this.exit(c, graceful ? 0 : SIGKILL_EXIT);
    }, at - now);
    return this.waitExit(c);
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c) return;
    c.timer?.cancel();
    c.readyTimer?.cancel();
    c.log.close();
    for (const w of c.exited.splice(0)) w();
    c.sandbox.containers.delete(containerId);
    this.containers.delete(containerId);
  }

  containerStatus(containerId: string): ContainerStatus | undefined {
    const c = this.containers.get(containerId);
    return c && { ...c.status };
  }

  async runPreStop(containerId: string, handler: LifecycleHandler, timeoutMs: number): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c || c.status.state !== 'running') return;
    const ms = Math.min(hookDurationMs(handler), Math.max(0, timeoutMs));
    this.log(c, `preStop hook running${ms > 0 ? ` for ${ms / 1000}s` : ''}`);
    if (ms <= 0) return;
    let timer: Timer | undefined;
    await Promise.race([new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, ms))), this.waitExit(c)]);
    timer?.cancel();
  }

  async exec(containerId: string): Promise<ExecSession> {
    const pod = this.containers.get(containerId)?.sandbox.config.name ?? 'unknown';
    throw new StatusError(
      400,
      'BadRequest',
      `exec is not available: pod ${pod} runs on the simulated runtime (sim); start k8ts with the process runtime to exec into pods`,
    );
  }

  async attach(containerId: string): Promise<ExecSession> {
    const pod = this.containers.get(containerId)?.sandbox.config.name ?? 'unknown';
    throw new StatusError(
      400,
      'BadRequest',
      `attach is not available: pod ${pod} runs on the simulated runtime (sim); start k8ts with the process runtime to attach to pods`,
    );
  }

  logs(containerId: string, opts: LogOptions): AsyncIterable<string> {
    const c = this.containers.get(containerId);
    return c ? c.log.read(opts) : (async function* () {})();
  }

  private run(c: Container): void {
    const now = this.clock.now();
    c.status.state = 'running';
    c.status.startedAt = now;
    this.log(c, `started container ${c.config.name} (image ${c.status.image})`);
    for (const p of c.sandbox.script.problems) this.log(c, p);
    this.emit({ type: 'ContainerStarted', podUID: c.sandbox.config.uid, sandboxId: c.sandbox.id, containerId: c.id });
    if (c.config.kind === 'init') {
      c.timer = this.clock.setTimeout(() => {
        this.log(c, 'init container completed');
        this.exit(c, 0);
      }, 0);
      return;
    }
    if (c.sandbox.script.exitCode !== undefined && isScriptedToExit(c)) {
      this.scriptedExit(c);
      // A container that runs for a while is ready meanwhile, like any other.
      if (!c.sandbox.script.runTimeMs) return;
    }
    this.checkReadiness(c, now);
  }

  private scriptedExit(c: Container): void {
    c.timer?.cancel();
    const { runTimeMs } = c.sandbox.script;
    c.timer = this.clock.setTimeout(() => {
      const code = c.sandbox.script.exitCode ?? 0;
      this.log(c, runTimeMs ? `exiting with code ${code} after running ${runTimeMs / 1000}s (${RUN_TIME})` : `exiting with code ${code} (${EXIT_CODE})`);
      this.exit(c, code);
    }, runTimeMs ?? 0);
  }

  /** Schedule the readiness flip that the current script implies, as of `changedAt`. */
  private checkReadiness(c: Container, changedAt: number): void {
    c.readyTimer?.cancel();
    c.readyTimer = undefined;
    const passing = c.sandbox.script.ready;
    if (passing === c.reported) return;
    const probe = c.config.readinessProbe;
    // The first failing check is reported at once; flips need the threshold's results in a row.
    const consecutive = passing ? (probe?.successThreshold ?? 1) : c.reported === undefined ? 1 : (probe?.failureThreshold ?? 3);
    const at = readinessFlipAt(probe, c.status.startedAt!, changedAt, consecutive);
    const now = this.clock.now();
    if (at <= now) this.setReady(c, passing);
    else c.readyTimer = this.clock.setTimeout(() => this.setReady(c, passing), at - now);
  }

  private setReady(c: Container, ready: boolean): void {
    c.readyTimer = undefined;
    if (c.status.state !== 'running') return;
    c.reported = ready;
    c.status.ready = ready;
    const probed = c.config.readinessProbe !== undefined;
    if (ready) this.log(c, probed ? 'readiness probe succeeded' : 'ready');
    else this.log(c, probed ? `readiness probe failed: ${NOT_READY_MESSAGE}` : `not ready: ${NOT_READY_MESSAGE}`);
    this.emit({
      type: ready ? 'ContainerReady' : 'ContainerNotReady',
      podUID: c.sandbox.config.uid,
      sandboxId: c.sandbox.id,
      containerId: c.id,
      ...(ready ? {} : { message: NOT_READY_MESSAGE }),
    });
  }

  private exit(c: Container, code: number): void {
    if (c.status.state === 'exited') return;
    c.timer?.cancel();
    c.readyTimer?.cancel();
    c.timer = c.readyTimer = undefined;
    c.status.state = 'exited';
    c.status.finishedAt = this.clock.now();
    c.status.exitCode = code;
    c.status.reason = code === 0 ? 'Completed' : 'Error';
    c.status.ready = false;
    if (c.status.startedAt !== undefined) this.log(c, `exited with code ${code}`);
    c.log.close();
    for (const w of c.exited.splice(0)) w();
    this.emit({ type: 'ContainerDied', podUID: c.sandbox.config.uid, sandboxId: c.sandbox.id, containerId: c.id });
  }

  private waitExit(c: Container): Promise<void> {
    if (c.status.state === 'exited' || !this.containers.has(c.id)) return Promise.resolve();
    return new Promise((resolve) => c.exited.push(resolve));
  }

  private log(c: Container, text: string): void {
    c.log.write(this.clock.now(), `[sim] ${text}`);
  }

  private emit(ev: RuntimeEvent): void {
    for (const l of this.listeners) l(ev);
  }

  private mustGet(id: string): Container {
    const c = this.containers.get(id);
    if (!c) throw new Error(`container ${id} not found`);
    return c;
  }
}

/** The exit-code script applies to the pod's first regular container. */
function isScriptedToExit(c: Container): boolean {
  return c.config.kind === 'regular' && c.config.index === 0;
}

/** A `sleep` action, or an exec of `sleep N` (alone or through `sh -c`), takes that long; others are instant. */
export function hookDurationMs(handler: LifecycleHandler): number {
  if (handler.sleep) return Math.max(0, handler.sleep.seconds) * 1000;
  const cmd = handler.exec?.command ?? [];
  const text = cmd[0] === 'sleep' ? cmd.join(' ') : (cmd[cmd.length - 1] ?? '');
  const m = /^\s*sleep\s+(\d+(?:\.\d+)?)\s*;?\s*$/.exec(text);
  return m ? Number(m[1]) * 1000 : 0;
}

function newID(): string {
  return randomBytes(32).toString('hex');
}
