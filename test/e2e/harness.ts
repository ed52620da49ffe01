// Starts a real `k8ts server` on a free port with a fresh data directory and drives the real kubectl
// against it with an isolated HOME and cache directory, as a new user would.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireProcessLock, releaseProcessLock, usesProcessRuntime } from './processlock.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(ROOT, 'bin', 'k8ts.js');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export class Cluster {
  url = '';
  kubeconfig = '';
  private proc: ChildProcess | undefined;
  private locked = false;
  readonly home: string;
  readonly cacheDir: string;

  constructor(
    readonly dataDir: string,
    private extraArgs: string[],
  ) {
    this.home = mkdtempSync(path.join(tmpdir(), 'k8ts-home-'));
    this.cacheDir = path.join(this.home, 'kube-cache');
  }

  async start(): Promise<void> {
    if (usesProcessRuntime(this.extraArgs) && !this.locked) {
      await acquireProcessLock();
      this.locked = true;
    }
    const proc = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', this.dataDir, ...this.extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    let out = '';
    let err = '';
    proc.stderr!.on('data', (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += d;
        const m = /k8ts ready: (\S+)\s+kubeconfig: (\S+)/.exec(out);
        if (m) {
          this.url = m[1];
          this.kubeconfig = m[2];
          proc.stdout!.off('data', onData);
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`k8ts server exited with ${code}: ${err}${out}`)));
    });
  }

  /** Run kubectl; `input` is piped to stdin (for `-f -`). */
  kubectl(args: string[], input?: string, timeoutMs = 60_000): Promise<Result> {
    return new Promise((resolve) => {
      const p = spawn('kubectl', this.argv(args), {
        env: { ...process.env, HOME: this.home, KUBECONFIG: this.kubeconfig },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.on('close', (code) => {
        clearTimeout(t);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      p.stdin.end(input ?? '');
    });
  }

  /** kubectl that must succeed; returns stdout. */
  async ok(args: string[], input?: string): Promise<string> {
    const r = await this.kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** kubectl's `-o json` output, as the kubernetes-types shape the caller names (`json<StoredList<Pod>>`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers not typed yet get the output untyped
  async json<T = any>(args: string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, '-o', 'json'])) as T;
  }

  /** The args with this cluster's kubeconfig and cache dir, before any `--` (which starts a container's command). */
  private argv(args: string[]): string[] {
    const own = ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir];
    const dash = args.indexOf('--');
    return dash < 0 ? [...args, ...own] : [...args.slice(0, dash), ...own, ...args.slice(dash)];
  }

  /** A long-running kubectl (e.g. `get -w`) whose output lines are collected. */
  stream(args: string[]): Stream {
    const p = spawn('kubectl', this.argv(args), {
      env: { ...process.env, HOME: this.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Stream(p);
  }

  writeFile(name: string, text: string): string {
    const p = path.join(this.home, name);
    writeFileSync(p, text);
    return p;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }

  async kill9(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.locked) {
      this.locked = false;
      releaseProcessLock();
    }
    rmSync(this.home, { recursive: true, force: true });
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export class Stream {
  lines: string[] = [];
  private buf = '';
  private waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => {
          if (!w.re.test(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    });
  }

  waitFor(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const hit = this.lines.find((l) => re.test(l));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${re}; saw:\n${this.lines.join('\n')}`)), timeoutMs);
      this.waiters.push({ re, resolve: (l) => (clearTimeout(t), resolve(l)) });
    });
  }

  stop(): void {
    this.proc.kill('SIGTERM');
  }
}

export async function startCluster(extraArgs: string[] = []): Promise<Cluster> {
  const c = new Cluster(mkdtempSync(path.join(tmpdir(), 'k8ts-data-')), extraArgs);
  try {
    await c.start();
  } catch (e) {
    await c.destroy();
    throw e;
  }
  return c;
}

/** Split a `kubectl get` table into rows of whitespace-separated cells (header included). */
export function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.trim().split(/\s{2,}/));
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A raw HTTPS request to the cluster with the kubeconfig's CA and token (or a given token). The path is sent
 * exactly as written (no dot-segment resolution, no re-encoding), with its Content-Length: Node sends a DELETE
 * body unframed unless its length is given, and every real client gives it.
 */
export async function request(c: Cluster, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, token?: string): Promise<HttpResult> {
  const { readFileSync } = await import('node:fs');
  const { parse } = await import('yaml');
  const https = await import('node:https');
  const kc = parse(readFileSync(c.kubeconfig, 'utf8'));
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
  const auth = token ?? kc.users[0].user.token;
  const url = new URL(c.url);
  const length: Record<string, string> = body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = https.request({ host: url.hostname, port: url.port, method, path, ca, headers: { Authorization: `Bearer ${auth}`, ...length, ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
