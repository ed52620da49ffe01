// Storage figures: create throughput through k8ts on SQLite and on etcd next to the raw rate of the same
// store from this process, watch delivery from one server to another on one etcd, and leader failover
// after kill -9 with the default lease timings. Prints figures; asserts nothing.
import Database from 'better-sqlite3';
import { Etcd3 } from 'etcd3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEtcd } from '../dist/testing/etcd.js';
import { client, cpuSeconds, percentile, pool, startServer, watchLines } from './lib.mjs';

const out = (label, value, goal) => console.log(`${label.padEnd(52)} ${value}${goal ? `   (goal ${goal})` : ''}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CLIENTS = 16;
/** ~1 KB stored: the data plus the metadata the server adds. */
const configMap = (name) => ({ metadata: { name }, data: { key: 'x'.repeat(800) } });
const servers = [];
const tempDirs = [];

async function start(args = []) {
  const s = await startServer(args);
  servers.push(s);
  return s;
}

async function must(req, method, p, body, code) {
  const r = await req(method, p, body);
  if (r.status !== code) throw new Error(`${method} ${p}: ${r.status} ${r.body}`);
  return JSON.parse(r.body);
}

/** Creates/s of `n` ConfigMaps in namespace `ns` with CLIENTS concurrent clients, and the server's CPU meanwhile. */
async function createRate(s, ns, n) {
  const req = client(s, CLIENTS);
  await must(req, 'POST', '/api/v1/namespaces', { metadata: { name: ns } }, 201);
  await pool(200, CLIENTS, (i) => must(req, 'POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(`warm-${i}`), 201));
  const cpu0 = cpuSeconds(s.proc.pid);
  const t0 = performance.now();
  await pool(n, CLIENTS, (i) => must(req, 'POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(`cm-${i}`), 201));
  const seconds = (performance.now() - t0) / 1000;
  return { rate: n / seconds, cpu: (cpuSeconds(s.proc.pid) - cpu0) / seconds };
}

/** The stored values of the raw runs: the stored one with its name swapped, so every value is as long as k8ts's. */
const valueOf = (stored, i) => stored.replace('"name":"cm-0"', `"name":"raw-${String(i).padStart(4, '0')}"`);

async function sqlite() {
  const N = 5000;
  const s = await start();
  const { rate, cpu } = await createRate(s, 'bench', N);
  const reader = new Database(path.join(s.dataDir, 'state.db'), { readonly: true });
  const stored = reader.prepare("SELECT value FROM objects WHERE key = '/configmaps/bench/cm-0'").pluck().get();
  reader.close();
  await s.stop();
  if (!stored) throw new Error('cm-0 not found in state.db');

  const dir = mkdtempSync(path.join(tmpdir(), 'k8ts-bench-sqlite-'));
  tempDirs.push(dir);
  // The schema, pragmas and transaction of src/storage/sqlite.ts: the row and the global revision together.
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE objects (key TEXT PRIMARY KEY, value TEXT NOT NULL, rev INTEGER) WITHOUT ROWID;
    CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO meta (name, value) VALUES ('revision', 0);
  `);
  const put = db.prepare('INSERT INTO objects (key, value, rev) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, rev = excluded.rev');
  const setRev = db.prepare("UPDATE meta SET value = ? WHERE name = 'revision'");
  const tx = db.transaction((rows) => {
    for (const [k, v, r] of rows) put.run(k, v, r);
    setRev.run(rows[rows.length - 1][2]);
  });
  const values = Array.from({ length: 2 * N }, (_, i) => valueOf(stored, i));
  let rev = 0;
  const row = (i) => [`/configmaps/raw/raw-${i}`, values[i], ++rev];
  let t0 = performance.now();
  for (let i = 0; i < N; i++) tx([row(i)]);
  const single = N / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = N; i < 2 * N; i += CLIENTS) tx(Array.from({ length: Math.min(CLIENTS, 2 * N - i) }, (_, j) => row(i + j)));
  const grouped = N / ((performance.now() - t0) / 1000);
  db.close();

  out(`SQLite: creates through k8ts, HTTPS, ${CLIENTS} clients`, `${rate.toFixed(0)} objects/s (server CPU ${(cpu * 100).toFixed(0)}%, ${stored.length} B values)`);
  out('SQLite: raw better-sqlite3, 1 insert per commit', `${single.toFixed(0)} rows/s (k8ts = ${((rate / single) * 100).toFixed(1)}%)`);
  out(`SQLite: raw better-sqlite3, ${CLIENTS} inserts per commit`, `${grouped.toFixed(0)} rows/s (k8ts = ${((rate / grouped) * 100).toFixed(1)}%)`);
}

/** The pid of the etcd serving `url`, to read its CPU time (startEtcd does not expose it). */
function etcdPid(url) {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`--listen-client-urls=${url}`)) return Number(pid);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

async function etcdThroughput(etcd, a) {
  const N = 3000;
  const pid = etcdPid(etcd.url);
  const e0 = pid ? cpuSeconds(pid) : 0;
  const t0 = performance.now();
  const { rate, cpu } = await createRate(a, 'bench', N);
  const etcdCpu = pid ? (cpuSeconds(pid) - e0) / ((performance.now() - t0) / 1000) : NaN;

  const raw = new Etcd3({ hosts: etcd.url });
  try {
    const stored = (await raw.get('/registry/configmaps/bench/cm-0')).toString();
    if (!stored) throw new Error('cm-0 not found in etcd');
    const values = Array.from({ length: N }, (_, i) => Buffer.from(valueOf(stored, i)));
    // The write k8ts makes for a create (src/storage/etcd.ts): put if the key was never created.
    const createTxn = (key, value) =>
      raw.kv.txn({ compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }], success: [{ request_put: { key, value } }], failure: [{ request_range: { key, keys_only: true } }] });
    // This process's CPU too: on a small machine the client library can be the limit.
    const timed = async (fn) => {
      const [t1, c1] = [performance.now(), process.cpuUsage()];
      await pool(N, CLIENTS, fn);
      const seconds = (performance.now() - t1) / 1000;
      const c = process.cpuUsage(c1);
      return { rate: N / seconds, cpu: `${(((c.user + c.system) / 1e6 / seconds) * 100).toFixed(0)}%` };
    };
    const txns = await timed((i) => createTxn(Buffer.from(`/bench/txn/raw-${i}`), values[i]));
    const puts = await timed((i) => raw.kv.put({ key: Buffer.from(`/bench/put/raw-${i}`), value: values[i] }));
    await raw.delete().prefix('/bench/');

    out(`etcd: creates through k8ts, HTTPS, ${CLIENTS} clients`, `${rate.toFixed(0)} objects/s (server CPU ${(cpu * 100).toFixed(0)}%, etcd CPU ${(etcdCpu * 100).toFixed(0)}%)`);
    out(`etcd: raw etcd3 create txns, ${CLIENTS} concurrent`, `${txns.rate.toFixed(0)} txns/s (k8ts = ${((rate / txns.rate) * 100).toFixed(1)}%, bench process CPU ${txns.cpu})`);
    out(`etcd: raw etcd3 puts, ${CLIENTS} concurrent`, `${puts.rate.toFixed(0)} puts/s (k8ts = ${((rate / puts.rate) * 100).toFixed(1)}%, bench process CPU ${puts.cpu})`);
  } finally {
    raw.close();
  }
}

/** A streaming watch; calls `onLine(line, receivedAt)` per event line. Resolves once the response headers arrived. */
async function watchAcrossServers(a, b) {
  const N = 500;
  const reqA = client(a, 1);
  await must(reqA, 'POST', '/api/v1/namespaces', { metadata: { name: 'watch' } }, 201);
  const delivered = new Map();
  const stream = await watchLines(b, '/api/v1/namespaces/watch/configmaps?watch=1', (line, at) => {
    const m = /"name":"(w-\d+)"/.exec(line);
    if (m && !delivered.has(m[1])) delivered.set(m[1], at);
  });
  const sent = new Map();
  const acked = new Map();
  // One write at a time: the figure is the path from A's acknowledgement through etcd to B's watchers, not a queue.
  for (let i = 0; i < N; i++) {
    sent.set(`w-${i}`, performance.now());
    await must(reqA, 'POST', '/api/v1/namespaces/watch/configmaps', configMap(`w-${i}`), 201);
    acked.set(`w-${i}`, performance.now());
  }
  const deadline = performance.now() + 5000;
  while (delivered.size < N && performance.now() < deadline) await sleep(20);
  stream.destroy();
  const names = [...acked.keys()].filter((n) => delivered.has(n));
  const afterAck = names.map((n) => delivered.get(n) - acked.get(n));
  const early = afterAck.filter((d) => d < 0).length;
  const ds = afterAck.map((d) => Math.max(0, d));
  const fromSend = names.map((n) => delivered.get(n) - sent.get(n));
  const f = (xs, p) => percentile(xs, p).toFixed(1);
  out(`watch A→B on one etcd, ${N} writes, ack → event`, `p50 ${f(ds, 50)} ms, p99 ${f(ds, 99)} ms, max ${f(ds, 100)} ms (${names.length}/${N} delivered, ${early} before the ack)`);
  out('  the same from the write being sent', `p50 ${f(fromSend, 50)} ms, p99 ${f(fromSend, 99)} ms, max ${f(fromSend, 100)} ms`);
}

const LEASE = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager';
const identity = (s) => readFileSync(path.join(s.dataDir, 'identity'), 'utf8').trim();

async function failover(a, b) {
  const reqs = new Map([a, b].map((s) => [s, client(s, 2)]));
  let holder;
  for (const deadline = performance.now() + 20000; performance.now() < deadline; await sleep(100)) {
    const r = await reqs.get(a)('GET', LEASE);
    if (r.status === 200) holder = JSON.parse(r.body).spec?.holderIdentity;
    if (holder) break;
  }
  const leader = [a, b].find((s) => holder?.endsWith(`_${identity(s)}`));
  if (!leader) throw new Error(`the lease holder ${holder} is neither server`);
  const survivor = leader === a ? b : a;
  const req = reqs.get(survivor);

  const exited = new Promise((r) => leader.proc.once('exit', r));
  const killedAt = performance.now();
  leader.proc.kill('SIGKILL');
  await exited;
  await must(req, 'POST', '/api/v1/namespaces', { metadata: { name: 'failover' } }, 201);
  let takeover;
  let reconcile;
  for (const deadline = killedAt + 40000; (!takeover || !reconcile) && performance.now() < deadline; await sleep(100)) {
    const [lease, sa] = await Promise.all([req('GET', LEASE), req('GET', '/api/v1/namespaces/failover/serviceaccounts/default')]);
    const now = performance.now();
    if (!takeover && lease.status === 200 && JSON.parse(lease.body).spec?.holderIdentity !== holder) takeover = now;
    if (!reconcile && sa.status === 200) reconcile = now;
  }
  const secs = (t) => (t ? `${((t - killedAt) / 1000).toFixed(2)} s` : 'not within 40 s');
  out('failover (15s/10s/2s): kill -9 → new lease holder', secs(takeover));
  out('  kill -9 → first reconcile (default SA in a new ns)', secs(reconcile));
}

let etcd;
try {
  await sqlite();
  etcd = await startEtcd();
  const a = await start(['--etcd', etcd.url]);
  await etcdThroughput(etcd, a);
  const b = await start(['--etcd', etcd.url]);
  await watchAcrossServers(a, b);
  await failover(a, b);
} finally {
  for (const s of servers) await s.stop().catch((e) => console.error(`stopping a server: ${e.message}`));
  await etcd?.stop();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}
