// Startup, readiness and liveness probes of a running container, as the kubelet's prober workers run
// them: each on its own period after the initial delay, results counted against the success and
// failure thresholds; readiness and liveness wait until the startup probe has succeeded.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Container as ContainerSpec, Probe } from 'kubernetes-types/core/v1.js';
import type { Clock, Timer } from '../../machinery/clock.js';
import { grpcProbe } from './grpcprobe.js';

export interface ProbeTarget {
  config: { linux?: { spec: ContainerSpec } };
  sandbox: { config: { ip: string } };
}

export interface ProberHooks {
  exec(command: string[], timeoutMs: number): Promise<{ code: number; output: string }>;
  ready(ready: boolean, message?: string): void;
  /** The liveness or startup probe failed its threshold: the container is to be restarted. */
  unhealthy(message: string): void;
}

type Kind = 'startup' | 'readiness' | 'liveness';
export interface ProbeResult {
  ok: boolean;
  message: string;
}

interface Worker {
  kind: Kind;
  probe: Probe;
  timer?: Timer;
  successes: number;
  failures: number;
}

const LABEL: Record<Kind, string> = { startup: 'Startup', readiness: 'Readiness', liveness: 'Liveness' };

export class Prober {
  private workers: Worker[] = [];
  private started = false;
  private stopped = false;

  constructor(
    private clock: Clock,
    private target: ProbeTarget,
    private hooks: ProberHooks,
  ) {}

  start(): void {
    const spec = this.target.config.linux?.spec;
    this.started = !spec?.startupProbe;
    for (const kind of ['startup', 'readiness', 'liveness'] as const) {
      const probe = spec?.[`${kind}Probe`];
      if (probe) this.workers.push({ kind, probe, successes: 0, failures: 0 });
    }
    if (!spec?.readinessProbe && this.started) this.hooks.ready(true);
    for (const w of this.workers) this.schedule(w, (w.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.workers) w.timer?.cancel();
  }

  private schedule(w: Worker, ms: number): void {
    if (this.stopped) return;
    w.timer = this.clock.setTimeout(() => void this.tick(w), ms);
  }

  private async tick(w: Worker): Promise<void> {
    const period = (w.probe.periodSeconds ?? 10) * 1000;
    if (w.kind !== 'startup' && !this.started) return this.schedule(w, period);
    const result = await runProbe(w.probe, this.target, this.hooks);
    if (this.stopped) return;
    if (result.ok) {
      w.failures = 0;
      w.successes++;
      if (w.successes >= (w.probe.successThreshold ?? 1)) this.succeeded(w);
    } else {
      w.successes = 0;
      w.failures++;
      if (w.failures >= (w.probe.failureThreshold ?? 3) && this.failed(w, result.message)) return;
    }
    if (w.kind === 'startup' && this.started) return;
    this.schedule(w, period);
  }

  private succeeded(w: Worker): void {
    if (w.kind === 'startup' && !this.started) {
      this.started = true;
      if (!this.target.config.linux?.spec.readinessProbe) this.hooks.ready(true);
    } else if (w.kind === 'readiness') this.hooks.ready(true);
  }

  /** True when the container is to be restarted (nothing more to probe). */
  private failed(w: Worker, message: string): boolean {
    if (w.kind === 'readiness') {
      this.hooks.ready(false, message);
      return false;
    }
    this.stop();
    this.hooks.ready(false);
    this.hooks.unhealthy(`${LABEL[w.kind]} probe failed: ${message}`);
    return true;
  }
}

export async function runProbe(probe: Probe, target: ProbeTarget, hooks: Pick<ProberHooks, 'exec'>): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec?.command?.length) {
    const r = await hooks.exec(probe.exec.command, timeoutMs);
    return { ok: r.code === 0, message: r.output.trim() || `command ${JSON.stringify(probe.exec.command.join(' '))} exited with ${r.code}` };
  }
  const host = target.sandbox.config.ip;
  const spec = target.config.linux?.spec;
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, spec);
    return httpProbe(probe.httpGet.scheme === 'HTTPS' ? 'https' : 'http', probe.httpGet.host || host, port, probe.httpGet.path ?? '/', probe.httpGet.httpHeaders ?? [], timeoutMs);
  }
  if (probe.tcpSocket) return tcpProbe(probe.tcpSocket.host || host, resolvePort(probe.tcpSocket.port, spec), timeoutMs);
  if (probe.grpc) return grpcProbe(host, probe.grpc.port, probe.grpc.service ?? '', timeoutMs);
  return { ok: false, message: 'probe has no handler' };
}

function resolvePort(port: number | string, spec: ContainerSpec | undefined): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return spec?.ports?.find((p) => p.name === port)?.containerPort ?? 0;
}

function httpProbe(scheme: 'http' | 'https', host: string, port: number, path: string, headers: Array<{ name: string; value: string }>, timeoutMs: number): Promise<ProbeResult> {
  const url = `${scheme}://${host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
  return new Promise((resolve) => {
    const lib = scheme === 'https' ? https : http;
    const req = lib.get(
      url,
      { headers: { 'User-Agent': 'kube-probe/1.32', Accept: '*/*', ...Object.fromEntries(headers.map((h) => [h.name, h.value])) }, timeout: timeoutMs, rejectUnauthorized: false },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({
        ok: false,
        message:
          e.message === 'timeout'
            ? `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`
            : `Get "${url}": dial tcp ${host}:${port}: connect: ${dialError(e)}`,
      }),
    );
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.setTimeout(timeoutMs);
    sock.on('connect', () => {
      sock.destroy();
      resolve({ ok: true, message: '' });
    });
    sock.on('timeout', () => {
      sock.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    sock.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, message: `dial tcp ${host}:${port}: connect: ${dialError(e)}` }));
  });
}

function dialError(e: NodeJS.ErrnoException): string {
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'EHOSTUNREACH') return 'no route to host';
  if (e.code === 'ENETUNREACH') return 'network is unreachable';
  return e.message;
}
