// Issue #2 figures: cold start, idle memory, create throughput (vs raw better-sqlite3), watch delivery
// latency with 100 watchers, and listing 10,000 pods as a Table. Prints figures; asserts nothing.
import Database from 'better-sqlite3';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { client, cpuSeconds, median, percentile, pool, rssMB, startServer, watchLines } from './lib.mjs';

const out = (label, value, goal) => console.log(`${label.padEnd(52)} ${value}${goal ? `   (goal ${goal})` : ''}`);

async function startTimes(dataDir, env) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const s = await startServer([], dataDir, env);
    // The ready line is printed once /readyz can answer; confirm with a request.
    const r = await client(s)('GET', '/readyz');
    if (r.status !== 200) throw new Error('readyz not ok');
    times.push(performance.now() - t0);
    await s.stop(true);
  }
  return median(times);
}

async function coldStart() {
  const first = await startServer();
  const dataDir = first.dataDir;
  await first.stop(true);
  out('cold start, spawn to /readyz (median of 5)', `${(await startTimes(dataDir, process.env)).toFixed(0)} ms`, '< 300 ms');
  if (process.env.NODE_EXTRA_CA_CERTS) {
    // Node reads every certificate in that bundle before running any code; k8ts needs none of them.
    const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
    out('  the same without NODE_EXTRA_CA_CERTS set', `${(await startTimes(dataDir, env)).toFixed(0)} ms`);
  }
  rmSync(dataDir, { recursive: true, force: true });
  out('first start incl. CA and certificate generation', `${first.readyMs.toFixed(0)} ms`);
}

function podBody(i) {
  return {
    metadata: { name: `pod-${i}`, labels: { app: 'bench', idx: String(i % 10) } },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }], nodeName: 'none' },
  };
}

async function throughput(s) {
  const req = client(s, 16);
  const N = 10000;
  const cpu0 = cpuSeconds(s.proc.pid);
  const t0 = performance.now();
  await pool(N, 16, async (i) => {
    const r = await req('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `cm-${i}` }, data: { key: 'x'.repeat(200) } });
    if (r.status !== 201) throw new Error(`create ${r.status} ${r.body}`);
  });
  const rate = N / ((performance.now() - t0) / 1000);
  const serverCpu = (cpuSeconds(s.proc.pid) - cpu0) / ((performance.now() - t0) / 1000);

  const dir = mkdtempSync(path.join(tmpdir(), 'sqlite-bench-'));
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const ins = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)');
  const tx = db.transaction((k, v) => ins.run(k, v));
  const value = JSON.stringify({ metadata: { name: 'cm', uid: 'x'.repeat(36) }, data: { key: 'x'.repeat(200) } });
  const t1 = performance.now();
  for (let i = 0; i < N; i++) tx(`/configmaps/default/cm-${i}`, value);
  const raw = N / ((performance.now() - t1) / 1000);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  out('create throughput, HTTPS, 16 clients', `${rate.toFixed(0)} objects/s (server CPU ${(serverCpu * 100).toFixed(0)}%)`, '>= 2,000/s');
  out('raw better-sqlite3 insert rate, same durability', `${raw.toFixed(0)} rows/s (k8ts = ${((rate / raw) * 100).toFixed(1)}%)`);
  const saRate = await serviceAccountThroughput(s, req, N);
  out('create throughput as a service account bound by RBAC', `${saRate.toFixed(0)} objects/s (${(((rate - saRate) / rate) * 100).toFixed(1)}% slower than the admin)`, '< 10% slower');
}

/** The same creates with a service account's token, allowed by a Role bound to it (every request is authorized by RBAC). */
async function serviceAccountThroughput(s, req, n) {
  const must = async (method, p, body, code) => {
    const r = await req(method, p, body);
    if (r.status !== code) throw new Error(`${method} ${p}: ${r.status} ${r.body}`);
    return JSON.parse(r.body);
  };
  await must('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'bench-writer' } }, 201);
  await must('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', { metadata: { name: 'cm-writer' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create'] }] }, 201);
  await must('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
    metadata: { name: 'cm-writer' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-writer' },
    subjects: [{ kind: 'ServiceAccount', name: 'bench-writer', namespace: 'default' }],
  }, 201);
  const tr = await must('POST', '/api/v1/namespaces/default/serviceaccounts/bench-writer/token', { spec: {} }, 201);
  const auth = { Authorization: `Bearer ${tr.status.token}` };
  const t0 = performance.now();
  await pool(n, 16, async (i) => {
    const r = await req('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `sa-cm-${i}` }, data: { key: 'x'.repeat(200) } }, auth);
    if (r.status !== 201) throw new Error(`create as service account ${r.status} ${r.body}`);
  });
  return n / ((performance.now() - t0) / 1000);
}

async function watchLatency(s) {
  const WATCHERS = 100;
  const RATE = 1000;
  const SECONDS = 5;
  const acked = new Map();
  const latencies = [];
  const agent = new https.Agent({ keepAlive: true, maxSockets: WATCHERS + 20, ca: s.ca });
  const streams = [];
  for (let w = 0; w < WATCHERS; w++) {
    streams.push(
      await watchLines(s, '/api/v1/namespaces/bench/configmaps?watch=true', (line, now) => {
        const m = /"name":"(w-\d+)"/.exec(line);
        if (m) latencies.push({ name: m[1], at: now });
      }, agent),
    );
  }
  const req = client(s, 32);
  await req('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
  const total = RATE * SECONDS;
  const cpu0 = cpuSeconds(s.proc.pid);
  const t0 = performance.now();
  await pool(total, 32, async (i) => {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const r = await req('POST', '/api/v1/namespaces/bench/configmaps', { metadata: { name: `w-${i}` } });
    if (r.status === 201) acked.set(`w-${i}`, performance.now());
  });
  const serverCpu = (cpuSeconds(s.proc.pid) - cpu0) / ((performance.now() - t0) / 1000);
  await new Promise((r) => setTimeout(r, 500));
  for (const st of streams) st.destroy();
  const ds = latencies.filter((l) => acked.has(l.name)).map((l) => Math.max(0, l.at - acked.get(l.name)));
  out(`watch delivery, ${WATCHERS} watchers, ${RATE} writes/s, p99`, `${percentile(ds, 99).toFixed(1)} ms (p50 ${percentile(ds, 50).toFixed(1)} ms, ${ds.length} deliveries, server CPU ${(serverCpu * 100).toFixed(0)}%)`, 'p99 < 50 ms');
}

async function listTable(s) {
  const req = client(s, 16);
  await pool(10000, 16, async (i) => {
    const r = await req('POST', '/api/v1/namespaces/default/pods', podBody(i));
    if (r.status !== 201) throw new Error(`create pod ${r.status} ${r.body}`);
  });
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await req('GET', '/api/v1/namespaces/default/pods', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    if (r.status !== 200 || !r.body.includes('"Table"')) throw new Error('not a table');
    times.push(performance.now() - t0);
  }
  out('list 10,000 pods as a Table (median of 5)', `${median(times).toFixed(0)} ms`, '< 300 ms');
}

await coldStart();
const s = await startServer();
await new Promise((r) => setTimeout(r, 1000));
out('idle resident memory after start', `${rssMB(s.proc.pid).toFixed(0)} MB`, '< 80 MB');
await throughput(s);
await watchLatency(s);
await listTable(s);
out('resident memory after the runs above', `${rssMB(s.proc.pid).toFixed(0)} MB`);
await s.stop();
