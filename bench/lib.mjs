// Shared helpers for benchmarks: start a k8ts server process, talk HTTPS to it with its kubeconfig.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'k8ts.js');

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Start `k8ts server` on a fresh (or given) data dir; resolves when the ready line is printed. */
export async function startServer(args = [], dataDir = mkdtempSync(path.join(tmpdir(), 'k8ts-bench-')), env = process.env) {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : []), BIN, 'server', '--port', '0', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const ready = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /k8ts ready: (\S+)\s+kubeconfig: (\S+)/.exec(out);
      if (m) resolve({ url: m[1], kubeconfig: m[2] });
    });
    proc.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const readyMs = performance.now() - t0;
  const kc = parse(readFileSync(ready.kubeconfig, 'utf8'));
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
  const token = kc.users[0].user.token;
  return {
    ...ready,
    proc,
    dataDir,
    readyMs,
    ca,
    token,
    async stop(keep = false) {
      if (proc.exitCode === null && proc.signalCode === null) {
        await new Promise((r) => {
          proc.once('exit', r);
          proc.kill('SIGTERM');
        });
      }
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function client(server, maxSockets = 16) {
  const agent = new https.Agent({ keepAlive: true, maxSockets, ca: server.ca });
  const base = new URL(server.url);
  return function request(method, p, body, headers = {}) {
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: base.hostname, port: base.port, path: p, method, agent, headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', ...headers } },
        (res) => {
          const chunks = [];
          res.on('data', (d) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.end(typeof body === 'string' ? body : JSON.stringify(body));
      else req.end();
    });
  };
}

export async function pool(n, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

export function rssMB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** User plus system CPU time of a process so far, in seconds. */
export function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** A streaming watch on `p`; `onLine(line, receivedAt)` for each event line. Resolves with the request once the stream is open. */
export function watchLines(s, p, onLine, agent = undefined) {
  const base = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: base.hostname, port: base.port, path: p, ca: s.ca, agent, headers: { Authorization: `Bearer ${s.token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch ${p}: ${res.statusCode}`));
      resolve(req);
      let buf = '';
      res.on('data', (d) => {
        const now = performance.now();
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, i), now);
          buf = buf.slice(i + 1);
        }
      });
    });
    req.on('error', (e) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end();
  });
}
