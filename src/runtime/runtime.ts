// The container runtime interface the kubelet drives, modelled on the CRI: pod sandboxes, containers,
// their status, logs and exec. Implementations: sim/ (a scripted timeline, no processes) and, later,
// process/ (real processes in Linux namespaces).

import type { Readable, Writable } from 'node:stream';
import type { LinuxContainerConfig, LinuxSandboxConfig } from './linuxconfig.js';

export interface PodSandboxConfig {
  name: string;
  namespace: string;
  uid: string;
  hostname: string;
  /** The pod IP the kubelet allocated from the node's pod CIDR (the node IP for hostNetwork pods). */
  ip: string;
  /** The pod's annotations (CRI passes them to the runtime too). */
  annotations: Record<string, string>;
  /** The node's default time to start and to stop a container, for runtimes that simulate them. */
  startDelayMs: number;
  stopDelayMs: number;
  /** How long the pod's work takes when it is meant to finish (a Job's pod), for runtimes that simulate it. */
  runTimeMs?: number;
  /** For runtimes that run real processes. */
  linux?: LinuxSandboxConfig;
}

/** Init containers run to completion one by one; sidecars are init containers with restartPolicy Always. */
export type ContainerKind = 'init' | 'sidecar' | 'regular';

/** The probe fields that decide when a result is seen (defaults already applied by the API server). */
export interface ProbeTiming {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface ContainerConfig {
  name: string;
  kind: ContainerKind;
  /** Position in spec.containers or spec.initContainers. */
  index: number;
  /** How many times this container was restarted before (CRI metadata.attempt). */
  attempt: number;
  image: string;
  command?: string[];
  args?: string[];
  readinessProbe?: ProbeTiming;
  /** For runtimes that run real processes. */
  linux?: LinuxContainerConfig;
}

export type ContainerState = 'created' | 'running' | 'exited';

export interface ContainerStatus {
  id: string;
  name: string;
  state: ContainerState;
  /** The image reference as the runtime resolved it, and its digest reference. */
  image: string;
  imageRef: string;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** `Completed`, `Error`, `OOMKilled` ... for exited containers. */
  reason?: string;
  /** Why a container ended, as terminated.message: the termination message, or a start error. */
  message?: string;
  /** Whether the readiness check passes (the runtime runs it, so the kubelet keeps no probe timers). */
  ready: boolean;
}

/** Lifecycle changes the runtime reports, like the kubelet's PLEG events. */
export interface RuntimeEvent {
  type: 'ContainerStarted' | 'ContainerDied' | 'ContainerReady' | 'ContainerNotReady' | 'ContainerUnhealthy' | 'PostStartHookFailed' | 'PreStopHookFailed';
  podUID: string;
  sandboxId: string;
  containerId: string;
  /**
   * For ContainerNotReady: why the readiness check fails; for ContainerUnhealthy (liveness or startup
   * probe over its threshold: restart it), the probe's failure; for the hook events, the hook's error.
   */
  message?: string;
}

/** A lifecycle handler (`lifecycle.preStop`) as in the pod spec. */
export interface LifecycleHandler {
  exec?: { command?: string[] };
  httpGet?: unknown;
  tcpSocket?: unknown;
  sleep?: { seconds: number };
}

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  /** Only lines written at or after this time (ms since the epoch). */
  sinceMs?: number;
  limitBytes?: number;
  /** Ends a follow stream (for example when the HTTP client goes away). */
  signal?: AbortSignal;
}

export interface ExecRequest {
  command: string[];
  stdin: boolean;
  tty: boolean;
}

/** Attach joins the streams of the container's main process (spec.containers[].stdin / tty). */
export interface AttachRequest {
  stdin: boolean;
  tty: boolean;
}

/**
 * The streams of an exec or an attach. With tty, everything comes on stdout and stderr stays empty.
 * stdout and stderr end when the process (exec) or the attach ends; the API server waits for both.
 */
export interface ExecSession {
  /** Present when stdin was requested; `end()` closes the process's stdin, `destroy()` drops it. */
  stdin?: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Resolves with the exit code (exec); for attach, when the attach ends (the code is not reported). */
  exit: Promise<number>;
  /** The client's terminal size changed (tty only). */
  resize?(width: number, height: number): void;
  /** The client went away: end the exec'd process. Not called for attach, which leaves the container running. */
  kill?(): void;
}

export interface ImagePullResult {
  /** False when the image was already on the machine. */
  pulled: boolean;
  sizeBytes: number;
}

export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** Why an image cannot be had; `reason` is the container's waiting reason (ErrImagePull, ErrImageNeverPull). */
export class ImagePullFailure extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ErrImageNeverPull',
    message: string,
  ) {
    super(message);
  }
}

export interface Runtime {
  /** `sim`, `process`: the scheme of container IDs and of the node's containerRuntimeVersion. */
  readonly type: string;
  readonly version: string;
  /** Real processes: the kubelet prepares volumes, /etc files and environments (the `linux` configs) for it. */
  readonly runsProcesses: boolean;
  /** What the runtime cannot do on this machine (e.g. enforce limits); the node reports it. */
  readonly warnings?: readonly string[];

  /**
   * Makes the image available per the pull policy, calling `pulling` before a pull starts; absent when
   * images need no pulling (simulated). Rejects with ImagePullFailure.
   */
  pullImage?(image: string, policy: ImagePullPolicy, pulling: () => void): Promise<ImagePullResult>;

  /** Listen for runtime events; returns the unsubscribe function. */
  subscribe(listener: (ev: RuntimeEvent) => void): () => void;

  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** The pod's annotations changed (a simulated runtime reads its script from them). */
  updatePodSandbox(sandboxId: string, annotations: Record<string, string>): void;
  stopPodSandbox(sandboxId: string): Promise<void>;
  removePodSandbox(sandboxId: string): Promise<void>;

  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  /** Resolves once the container runs (a ContainerStarted event follows). */
  startContainer(containerId: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the container exited. */
  stopContainer(containerId: string, timeoutMs: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  containerStatus(containerId: string): ContainerStatus | undefined;

  /** Runs a preStop handler, at most `timeoutMs`. */
  runPreStop(containerId: string, handler: LifecycleHandler, timeoutMs: number): Promise<void>;
  /** May reject with a StatusError when the runtime cannot exec. */
  exec(containerId: string, request: ExecRequest): Promise<ExecSession>;
  /** Joins the container's main process streams; may reject with a StatusError when the runtime cannot attach. */
  attach(containerId: string, request: AttachRequest): Promise<ExecSession>;
  /** The container's output lines, each ending in "\n"; with follow, until the container exits. */
  logs(containerId: string, opts: LogOptions): AsyncIterable<string>;
}
