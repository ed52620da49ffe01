// Issue #10 figures: draining a node that holds 100 pods under a budget that allows everything (with
// kubectl drain, its pacing included, and with the 100 evictions sent at once), and node-loss recovery:
// 1,000 Deployment pods on ten nodes that go down together, from the unreachable taint to every
// replacement Running elsewhere (shortened timeouts). Zero simulated delays. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { client, pool, startServer } from './lib.mjs';

const out = (label, value) => console.log(`${label.padEnd(60)} ${value}`);
const zero = ['--sim-start-delay', '0', '--sim-stop-delay', '0'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nodeName = (i) => (i === 0 ? 'k8ts' : `k8ts-m${String(i + 1).padStart(2, '0')}`);

function deployment(name, replicas) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '1m', memory: '1Mi' } } }],
        },
      },
    },
  };
}

async function pods(req, selector) {
  return JSON.parse((await req('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).body).items;
}

const running = (p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

// The pods are placed by cordoning every other node while they are created.
async function cordon(req, node, unschedulable) {
  await req('PATCH', `/api/v1/nodes/${node}`, { spec: { unschedulable: unschedulable || null } }, { 'Content-Type': 'application/merge-patch+json' });
}

async function until(check) {
  for (;;) {
    if (await check()) return;
    await sleep(25);
  }
}

// Drain: 100 pods on k8ts-m02, a budget allowing all of them.
{
  const s = await startServer(['--nodes', '3', ...zero]);
  const req = client(s);
  for (const n of ['k8ts', 'k8ts-m03']) await cordon(req, n, true);
  await req('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'all' }, spec: { maxUnavailable: '100%', selector: { matchLabels: { app: 'drained' } } } });
  await req('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('drained', 100));
  await until(async () => (await pods(req, 'app=drained')).filter((p) => running(p) && p.spec.nodeName === 'k8ts-m02').length === 100);
  for (const n of ['k8ts', 'k8ts-m03']) await cordon(req, n, false);
  await sleep(1000); // the budget's status catches up with the 100 ready pods
  const home = mkdtempSync(path.join(tmpdir(), 'k8ts-bench-home-'));
  let t0 = performance.now();
  const r = spawnSync('kubectl', ['drain', 'k8ts-m02', '--ignore-daemonsets', '--force', '--delete-emptydir-data', '--kubeconfig', s.kubeconfig, '--cache-dir', path.join(home, 'cache')], { env: { ...process.env, HOME: home }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  out('kubectl drain, 100 pods under a budget allowing all', `${((performance.now() - t0) / 1000).toFixed(2)} s (kubectl's pacing included)`);
  rmSync(home, { recursive: true, force: true });
  // The same evictions without kubectl, all at once: the 100 replacements, now on the other nodes.
  await until(async () => (await pods(req, 'app=drained')).filter(running).length === 100);
  await sleep(1000);
  const victims = (await pods(req, 'app=drained')).filter(running).map((p) => p.metadata.name);
  t0 = performance.now();
  let refused = 0;
  await pool(victims.length, 16, async (i) => {
    const e = await req('POST', `/api/v1/namespaces/default/pods/${victims[i]}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victims[i], namespace: 'default' } });
    if (e.status !== 201) refused++;
  });
  const sent = (performance.now() - t0) / 1000;
  await until(async () => (await pods(req, 'app=drained')).filter((p) => victims.includes(p.metadata.name)).length === 0);
  out('100 evictions sent 16 at a time (no kubectl)', `${sent.toFixed(2)} s accepted (${refused} refused), pods gone after ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  await s.stop();
}

// Node loss: 1,000 pods on ten of twenty nodes, which go down together.
{
  const s = await startServer(['--nodes', '20', ...zero, '--node-monitor-grace-period', '2s', '--default-unreachable-toleration-seconds', '0', '--default-not-ready-toleration-seconds', '0']);
  const req = client(s);
  const doomed = Array.from({ length: 10 }, (_, i) => nodeName(i + 10));
  const survivors = Array.from({ length: 10 }, (_, i) => nodeName(i));
  for (const n of survivors) await cordon(req, n, true);
  for (let d = 0; d < 10; d++) await req('POST', '/apis/apps/v1/namespaces/default/deployments', deployment(`lost-${d}`, 100));
  await until(async () => (await pods(req, 'app')).filter((p) => running(p) && doomed.includes(p.spec.nodeName)).length === 1000);
  for (const n of survivors) await cordon(req, n, false);
  const t0 = performance.now();
  for (const n of doomed) await req('PATCH', `/api/v1/nodes/${n}`, { metadata: { annotations: { 'sim.k8ts.io/down': 'true' } } }, { 'Content-Type': 'application/merge-patch+json' });
  let tainted = 0;
  await until(async () => {
    const nodes = JSON.parse((await req('GET', '/api/v1/nodes')).body).items.filter((n) => doomed.includes(n.metadata.name));
    const all = nodes.every((n) => n.spec.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'));
    if (all) tainted = performance.now();
    return all;
  });
  await until(async () => (await pods(req, 'app')).filter((p) => running(p) && !doomed.includes(p.spec.nodeName)).length === 1000);
  const done = performance.now();
  out('node loss, 1,000 pods on 10 nodes: down to tainted', `${((tainted - t0) / 1000).toFixed(1)} s (--node-monitor-grace-period 2s)`);
  out('  tainted to all 1,000 replacements Running elsewhere', `${((done - tainted) / 1000).toFixed(2)} s (tolerationSeconds 0)`);
  await s.stop();
}
