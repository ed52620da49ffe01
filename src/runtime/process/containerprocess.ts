// One container instance as a process tree: the waiter in the host PID namespace and, under it, the
// container's PID 1. It collects output into the container log, tells who attaches about new output,
// and resolves with how the container ended (exit code, or the start error the setup program reported).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { Clock } from '../../machinery/clock.js';
import { logger } from '../../machinery/log.js';
import type { ContainerLog } from '../logstore.js';
import { SHARED_PID_WAITER, WAITER } from './rootfs.js';

const log = logger('process-runtime');

export interface LaunchSpec {
  /** Namespace files of the pod sandbox (net, uts, ipc); a missing one means the host's. */
  namespaces: { net?: string; uts?: string; ipc?: string; /** The pod's shared PID namespace, if it has one. */ pid?: string };
  setup: string;
  argv: string[];
  env: Record<string, string>;
  stdin: boolean;
  /** Directory for the FIFOs of the container's stdout and stderr. */
  dir: string;
}

export type ContainerEnd = { started: true; exitCode: number; signal?: string } | { started: false; startError: string };

/** Largest partial line kept before it is written out anyway. */
const MAX_LINE = 16 * 1024;

export class ContainerProcess extends EventEmitter {
  /** Host PID of the container's PID 1, once known. */
  pid?: number;
  readonly ended: Promise<ContainerEnd>;
  /** Resolves once the container's command runs (exec done), or with false when it never will. */
  readonly running: Promise<boolean>;
  stdin?: Writable;
  private child: ChildProcess;
  private partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  constructor(
    spec: LaunchSpec,
    private clock: Clock,
    private output: ContainerLog,
  ) {
    super();
    const ns = spec.namespaces;
    const nsenter = ['nsenter', ...(ns.net ? [`--net=${ns.net}`] : []), ...(ns.uts ? [`--uts=${ns.uts}`] : []), ...(ns.ipc ? [`--ipc=${ns.ipc}`] : [])];
    const argv = [
      '--pdeathsig=KILL',
      '--',
      ...nsenter,
      '--',
      'unshare',
      '--mount',
      ...(ns.pid ? [] : ['--pid']),
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      ns.pid ? SHARED_PID_WAITER : WAITER,
      'waiter',
      ...(ns.pid ? [ns.pid] : []),
      spec.setup,
      ...spec.argv,
    ];
    // Output goes through FIFOs, as containerd's does: programs open /dev/stdout and /dev/stderr, which a
    // socket (what Node's pipes are) refuses.
    const fifos = (['stdout', 'stderr'] as const).map((name) => path.join(spec.dir, name));
    execFileSync('mkfifo', fifos);
    const readers = fifos.map((f) => openSync(f, constants.O_RDONLY | constants.O_NONBLOCK));
    const writers = fifos.map((f) => openSync(f, constants.O_WRONLY));
    try {
      this.child = spawn('setpriv', argv, { env: spec.env, stdio: [spec.stdin ? 'pipe' : 'ignore', writers[0], writers[1], 'pipe'], detached: false });
    } finally {
      for (const fd of writers) closeSync(fd);
    }
    const streams = readers.map((fd) => new net.Socket({ fd, readable: true, writable: false }));
    if (spec.stdin) this.stdin = this.child.stdin!;
    this.child.stdin?.on('error', () => undefined);
    let status = '';
    let startError = '';
    let resolveRunning!: (ok: boolean) => void;
    this.running = new Promise((r) => (resolveRunning = r));
    const control = this.child.stdio[3] as NodeJS.ReadableStream;
    control.on('data', (d: Buffer) => {
      status += d.toString();
      const m = /^pid (\d+)\n/.exec(status);
      if (m && this.pid === undefined) this.pid = Number(m[1]);
      if (this.pid !== undefined && /^exec$/m.test(status)) resolveRunning(true);
    });
    control.on('end', () => {
      startError = status.replace(/^pid \d+\n/, '').replace(/^exec\n/m, '').trim();
      resolveRunning(false);
    });
    let open = 2;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let finish: () => void = () => undefined;
    (['stdout', 'stderr'] as const).forEach((stream, i) => {
      streams[i].on('data', (d: Buffer) => this.collect(stream, d.toString()));
      streams[i].on('error', (e) => log.warning('Reading container output failed', { err: e.message }));
      streams[i].on('close', () => {
        if (--open === 0) finish();
      });
    });
    this.ended = new Promise((resolve) => {
      this.child.on('error', (e) => {
        log.error('Starting a container process failed', { err: e.message });
        resolveRunning(false);
        resolve({ started: false, startError: e.message });
      });
      // Done once the waiter exited and every writer of the output (daemons the container left) is gone.
      finish = () => {
        if (!exited || open > 0) return;
        const { code, signal } = exited;
        this.flush();
        resolveRunning(false);
        if (startError) resolve({ started: false, startError });
        else resolve({ started: true, exitCode: code ?? 128 + signalNumber(signal), signal: signal ?? undefined });
      };
      this.child.on('exit', (code, signal) => {
        exited = { code, signal };
        finish();
      });
    });
  }

  /** Signals the container's PID 1 (signals to the waiter would not reach it). */
  signal(sig: NodeJS.Signals): void {
    const target = this.pid ?? this.child.pid;
    if (target === undefined) return;
    try {
      process.kill(target, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') log.warning('Signalling a container failed', { pid: target, err: (e as Error).message });
    }
  }

  private collect(stream: 'stdout' | 'stderr', text: string): void {
    this.emit(stream, text);
    const lines = (this.partial[stream] + text).split('\n');
    this.partial[stream] = lines.pop()!;
    if (this.partial[stream].length > MAX_LINE) {
      lines.push(this.partial[stream]);
      this.partial[stream] = '';
    }
    const now = this.clock.now();
    for (const line of lines) this.output.write(now, line);
  }

  private flush(): void {
    const now = this.clock.now();
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.output.write(now, this.partial[stream]);
      this.partial[stream] = '';
    }
  }
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

function signalNumber(signal: NodeJS.Signals | null): number {
  return (signal && SIGNALS[signal]) || 9;
}
