// The process runtime: every pod sandbox is a set of Linux namespaces (network, UTS, IPC) kept alive by
// bind mounts on files in the node's directory, connected to the node's bridge; every container is a
// process tree in its own mount and PID namespaces over a copy-on-write view of the host's root,
// with the pod's volumes bound in. Images are Debian packages (images.ts).

import { randomBytes } from 'node:crypto';
import type { LifecycleHandler as V1LifecycleHandler } from 'kubernetes-types/core/v1.js';
import { chmod, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors.js';
import { logger } from '../../machinery/log.js';
import { command } from '../../network/command.js';
import type { PodNetwork } from '../../network/podnetwork.js';
import { ContainerLog } from '../logstore.js';
import type {
  AttachRequest,
  ContainerConfig,
  ContainerStatus,
  ExecRequest,
  ExecSession,
  ImagePullPolicy,
  ImagePullResult,
  LifecycleHandler,
  LogOptions,
  PodSandboxConfig,
  Runtime,
  RuntimeEvent,
} from '../runtime.js';
import { ImagePullFailure } from '../runtime.js';
import { ContainerCgroups, type CgroupLayout } from './cgroups.js';
import { ContainerProcess } from './containerprocess.js';
import { attachSession, execSession } from './exec.js';
import type { ImagePuller } from './imagepuller.js';
import { containerArgv, DEFAULT_PATH, type ImageProfile, type ResolvedImage } from './images.js';
import { runHook } from './hooks.js';
import { Prober } from './prober.js';
import { devTemplateScript, setupProgram } from './rootfs.js';
import { namespaceFiles, createNamespaces, PauseProcess, removeNamespaces } from './sandbox.js';
import { containerLimits, terminationMessage } from './termination.js';

export const PROCESS_RUNTIME_VERSION = '0.1.0';
/** The kubelet gives postStart no deadline of its own; this keeps a hung hook from hanging the start forever. */
const POST_START_TIMEOUT_MS = 120_000;
const log = logger('process-runtime');

export interface ProcessRuntimeOptions {
  clock: Clock;
  /** This node's directory for sandboxes and containers. */
  rootDir: string;
  network: PodNetwork;
  puller: ImagePuller;
  cgroups: CgroupLayout;
  /** The machine's shortcomings (see ProcessHost), shown in the node's Ready condition. */
  warnings: readonly string[];
}

interface Sandbox {
  id: string;
  config: PodSandboxConfig;
  dir: string;
  containers: Set<string>;
  stopped: boolean;
  /** PID 1 of the pod's shared PID namespace (shareProcessNamespace). */
  pause?: PauseProcess;
}

export interface Container {
  id: string;
  sandbox: Sandbox;
  config: ContainerConfig;
  image: ResolvedImage;
  dir: string;
  status: ContainerStatus;
  log: ContainerLog;
  process?: ContainerProcess;
  cgroups?: ContainerCgroups;
  prober?: Prober;
  env: Record<string, string>;
  exited: Array<() => void>;
  stopping?: { killTimer?: { cancel(): void } };
}

export class ProcessRuntime implements Runtime {
  readonly type = 'process';
  readonly version = PROCESS_RUNTIME_VERSION;
  readonly runsProcesses = true;
  private sandboxes = new Map<string, Sandbox>();
  private containers = new Map<string, Container>();
  private listeners = new Set<(ev: RuntimeEvent) => void>();
  private devReady?: Promise<string>;

  constructor(private opts: ProcessRuntimeOptions) {}

  get warnings(): readonly string[] {
    return this.opts.warnings;
  }

  subscribe(listener: (ev: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async pullImage(image: string, policy: ImagePullPolicy, pulling: () => void): Promise<ImagePullResult> {
    try {
      const have = policy === 'Always' ? undefined : await this.opts.puller.present(image).catch(() => undefined);
      if (have) return { pulled: false, sizeBytes: have.sizeBytes };
      if (policy === 'Never') throw new ImagePullFailure('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
      pulling();
      const got = await this.opts.puller.pull(image);
      return { pulled: true, sizeBytes: got.sizeBytes };
    } catch (e) {
      if (e instanceof ImagePullFailure) throw e;
      throw new ImagePullFailure('ErrImagePull', (e as Error).message);
    }
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = randomBytes(32).toString('hex');
    const dir = path.join(this.opts.rootDir, 'sandboxes', id);
    await mkdir(path.join(dir, 'containers'), { recursive: true });
    const linux = config.linux;
    await writeFile(path.join(dir, 'hosts'), linux?.hostsFile ?? '');
    await writeFile(path.join(dir, 'resolv.conf'), linux?.resolvConf ?? '');
    await writeFile(path.join(dir, 'hostname'), `${config.hostname}\n`);
    const sb: Sandbox = { id, config, dir, containers: new Set(), stopped: false };
    try {
      await createNamespaces(dir, config.hostname, !!linux?.hostNetwork);
      if (!linux?.hostNetwork) await this.opts.network.attach(id, namespaceFiles(dir).net!, config.ip);
      if (linux?.shareProcessNamespace) sb.pause = await PauseProcess.start(namespaceFiles(dir, !!linux.hostNetwork));
    } catch (e) {
      await this.teardown(sb).catch(() => undefined);
      throw e;
    }
    this.sandboxes.set(id, sb);
    return id;
  }

  updatePodSandbox(): void {}

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return;
    await Promise.all([...sb.containers].map((id) => this.stopContainer(id, 0)));
    if (!sb.stopped) {
      sb.stopped = true;
      await this.teardown(sb);
    }
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return;
    await this.stopPodSandbox(sandboxId);
    for (const id of [...sb.containers]) await this.removeContainer(id);
    await rm(sb.dir, { recursive: true, force: true });
    this.sandboxes.delete(sandboxId);
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) throw new Error(`pod sandbox ${sandboxId} not found`);
    const image = this.opts.puller.resolve(config.image);
    const id = randomBytes(32).toString('hex');
    const dir = path.join(sb.dir, 'containers', id);
    await mkdir(path.join(dir, 'upper'), { recursive: true });
    await mkdir(path.join(dir, 'work'), { recursive: true });
    await mkdir(path.join(dir, 'merged'), { recursive: true });
    await writeLayer(path.join(dir, 'upper'), image.profile);
    const status: ContainerStatus = { id, name: config.name, state: 'created', image: image.ref, imageRef: image.ref, ready: false };
    const c: Container = { id, sandbox: sb, config, image, dir, status, log: new ContainerLog(), env: containerEnv(image.profile, config, sb.config.hostname), exited: [] };
    this.containers.set(id, c);
    sb.containers.add(id);
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.mustGet(containerId);
    if (c.status.state !== 'created') throw new Error(`container ${containerId} is ${c.status.state}, not created`);
    const linux = c.config.linux;
    const spec = linux?.spec;
    c.cgroups = await ContainerCgroups.create(this.opts.cgroups, c.id, containerLimits(spec?.resources));
    const terminationPath = spec?.terminationMessagePath ?? '/dev/termination-log';
    const terminationHost = path.join(c.dir, 'termination-log');
    await writeFile(terminationHost, '');
    const wanted = [...(c.image.profile.mounts ?? []).map((m) => ({ ...m, readOnly: true })), ...(linux?.mounts ?? [])];
    const mounts = await Promise.all(wanted.map(async (m) => ({ ...m, isDir: (await stat(m.hostPath).catch(() => undefined))?.isDirectory() ?? false })));
    const setup = setupProgram({
      containerDir: c.dir,
      devTemplate: await this.devTemplate(),
      etcFiles: { hosts: path.join(c.sandbox.dir, 'hosts'), resolvConf: path.join(c.sandbox.dir, 'resolv.conf'), hostname: path.join(c.sandbox.dir, 'hostname') },
      mounts,
      terminationLog: { hostPath: terminationHost, containerPath: terminationPath },
      cgroups: c.cgroups.dirs,
      workingDir: spec?.workingDir ?? c.image.profile.workingDir,
      user: linux?.user,
      pdeathsig: true,
    });
    const argv = containerArgv(c.image.profile, linux?.command ?? c.config.command, linux?.args ?? c.config.args);
    if (!argv.length) {
      this.exitWithStartError(c, 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: no command specified: unknown');
      return;
    }
    const oomBefore = await c.cgroups.oomKills();
    const proc = new ContainerProcess(
      { namespaces: { ...namespaceFiles(c.sandbox.dir, !!c.sandbox.config.linux?.hostNetwork), pid: c.sandbox.pause?.pidNamespace }, setup, argv, env: c.env, stdin: !!spec?.stdin, dir: c.dir },
      this.opts.clock,
      c.log,
    );
    c.process = proc;
    void proc.ended.then(async (end) => {
      if (!end.started) return this.exitWithStartError(c, end.startError);
      const oom = end.exitCode === 137 && (await c.cgroups!.oomKills()) > oomBefore;
      const message = await terminationMessage(terminationHost, spec, end.exitCode, c.log).catch(() => undefined);
      this.exit(c, end.exitCode, oom ? 'OOMKilled' : undefined, message);
    });
    const ok = await proc.running;
    if (!ok || c.status.state !== 'created') return;
    const postStart = spec?.lifecycle?.postStart;
    if (postStart) {
      // The container counts as started once its postStart hook returned, as the kubelet's start does.
      const failed = await runHook(this.opts.clock, postStart, c, (cmd, ms) => this.probeExec(c, cmd, ms), POST_START_TIMEOUT_MS);
      if (failed) {
        c.log.write(this.opts.clock.now(), failed);
        this.emit('PostStartHookFailed', c, failed);
        proc.signal('SIGKILL');
        return;
      }
    }
    if (c.status.state !== 'created') return;
    c.status.state = 'running';
    c.status.startedAt = this.opts.clock.now();
    this.emit('ContainerStarted', c);
    c.prober = new Prober(this.opts.clock, c, {
      exec: (command, timeoutMs) => this.probeExec(c, command, timeoutMs),
      ready: (ready, message) => this.setReady(c, ready, message),
      unhealthy: (message) => this.emit('ContainerUnhealthy', c, message),
    });
    c.prober.start();
  }

  async stopContainer(containerId: string, timeoutMs: number): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c || c.status.state === 'exited') return;
    if (c.status.state === 'created' && !c.process) {
      this.exit(c, 137);
      return;
    }
    c.prober?.stop();
    if (!c.stopping) {
      c.stopping = {};
      c.process?.signal('SIGTERM');
    }
    c.stopping.killTimer?.cancel();
    c.stopping.killTimer = this.opts.clock.setTimeout(() => c.process?.signal('SIGKILL'), Math.max(0, timeoutMs));
    return this.waitExit(c);
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c) return;
    if (c.status.state !== 'exited') await this.stopContainer(containerId, 0);
    c.log.close();
    await c.cgroups?.remove();
    c.sandbox.containers.delete(containerId);
    this.containers.delete(containerId);
    await rm(c.dir, { recursive: true, force: true }).catch((e: Error) => log.warning('Removing a container directory failed', { dir: c.dir, err: e.message }));
  }

  containerStatus(containerId: string): ContainerStatus | undefined {
    const c = this.containers.get(containerId);
    return c && { ...c.status };
  }

  async runPreStop(containerId: string, handler: LifecycleHandler, timeoutMs: number): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c || c.status.state !== 'running') return;
    const failed = await runHook(this.opts.clock, handler as V1LifecycleHandler, c, (cmd, ms) => this.probeExec(c, cmd, ms), timeoutMs);
    if (failed) {
      c.log.write(this.opts.clock.now(), failed);
      this.emit('PreStopHookFailed', c, failed);
    }
  }

  async exec(containerId: string, request: ExecRequest): Promise<ExecSession> {
    return execSession(this.running(containerId), request);
  }

  async attach(containerId: string, request: AttachRequest): Promise<ExecSession> {
    return attachSession(this.running(containerId), request);
  }

  logs(containerId: string, opts: LogOptions): AsyncIterable<string> {
    const c = this.containers.get(containerId);
    return c ? c.log.read(opts) : (async function* () {})();
  }

  /** Stops and removes everything (server shutdown). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.sandboxes.keys()].map((id) => this.removePodSandbox(id).catch((e: Error) => log.error('Removing a pod sandbox failed', { err: e.message }))));
  }

  private devTemplate(): Promise<string> {
    const dir = path.join(this.opts.rootDir, 'dev-template');
    this.devReady ??= command(['sh', '-c', devTemplateScript(dir)]).then(() => dir);
    return this.devReady;
  }

  private running(containerId: string): Container {
    const c = this.containers.get(containerId);
    if (!c || c.status.state !== 'running' || !c.process?.pid) throw new StatusError(400, 'BadRequest', `container ${c?.config.name ?? containerId} is not running`);
    return c;
  }

  private async probeExec(c: Container, command: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
    const session = execSession(c, { command, stdin: false, tty: false });
    let output = '';
    session.stdout.on('data', (d: Buffer) => (output += d.toString()));
    session.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = this.opts.clock.setTimeout(() => session.kill?.(), timeoutMs);
    const code = await session.exit;
    timer.cancel();
    return { code, output };
  }

  private setReady(c: Container, ready: boolean, message?: string): void {
    if (c.status.state !== 'running' || c.status.ready === ready) return;
    c.status.ready = ready;
    this.emit(ready ? 'ContainerReady' : 'ContainerNotReady', c, message);
  }

  private exitWithStartError(c: Container, message: string): void {
    c.log.write(this.opts.clock.now(), message);
    this.exit(c, 128, 'StartError', message);
  }

  private exit(c: Container, code: number, reason?: string, message?: string): void {
    if (c.status.state === 'exited') return;
    c.prober?.stop();
    c.stopping?.killTimer?.cancel();
    c.status.state = 'exited';
    c.status.finishedAt = this.opts.clock.now();
    c.status.exitCode = code;
    c.status.reason = reason ?? (code === 0 ? 'Completed' : 'Error');
    if (message) c.status.message = message;
    c.status.ready = false;
    c.log.close();
    for (const w of c.exited.splice(0)) w();
    this.emit('ContainerDied', c);
  }

  private waitExit(c: Container): Promise<void> {
    if (c.status.state === 'exited' || !this.containers.has(c.id)) return Promise.resolve();
    return new Promise((resolve) => c.exited.push(resolve));
  }

  private async teardown(sb: Sandbox): Promise<void> {
    await this.opts.network.detach(sb.id);
    sb.pause?.stop();
    await removeNamespaces(sb.dir);
  }

  private emit(type: RuntimeEvent['type'], c: Container, message?: string): void {
    const ev: RuntimeEvent = { type, podUID: c.sandbox.config.uid, sandboxId: c.sandbox.id, containerId: c.id, ...(message ? { message } : {}) };
    for (const l of this.listeners) l(ev);
  }

  private mustGet(id: string): Container {
    const c = this.containers.get(id);
    if (!c) throw new Error(`container ${id} not found`);
    return c;
  }
}

/** The image's env, then the container's (which wins), with PATH and HOSTNAME as container runtimes set them. */
function containerEnv(profile: ImageProfile, config: ContainerConfig, hostname: string): Record<string, string> {
  const env: Record<string, string> = { PATH: DEFAULT_PATH, HOSTNAME: hostname, ...profile.env };
  for (const { name, value } of config.linux?.env ?? []) env[name] = value;
  return env;
}

async function writeLayer(upper: string, profile: ImageProfile): Promise<void> {
  const entries = Object.entries(profile.layer ?? {});
  for (const [file, entry] of entries) {
    const target = path.join(upper, file);
    await mkdir('directory' in entry ? target : path.dirname(target), { recursive: true });
    if ('symlink' in entry) await symlink(entry.symlink, target);
    else if ('content' in entry) await writeFile(target, entry.content, { mode: entry.mode ?? 0o644 });
  }
  // Directory modes last: the files above may have created them with the default mode.
  for (const [file, entry] of entries) if ('directory' in entry) await chmod(path.join(upper, file), entry.mode);
}
