// Issue #9 figures: a Deployment of 1,000 replicas on 100 nodes from create to Available, then a
// rolling update of it (time and the most pods alive at once); zero simulated delays. Prints figures;
// asserts nothing.
import { client, rssMB, startServer, watchLines } from './lib.mjs';

const out = (label, value, goal) => console.log(`${label.padEnd(52)} ${value}${goal ? `   (goal ${goal})` : ''}`);

const REPLICAS = 1000;
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'big' },
  spec: {
    replicas: REPLICAS,
    selector: { matchLabels: { app: 'big' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] } },
  },
};

async function until(req, check) {
  for (;;) {
    const d = JSON.parse((await req('GET', '/apis/apps/v1/namespaces/default/deployments/big')).body);
    if (check(d)) return d;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const done = (generation) => (d) =>
  d.status?.observedGeneration >= generation &&
  d.status?.updatedReplicas === REPLICAS &&
  d.status?.availableReplicas === REPLICAS &&
  d.status?.replicas === REPLICAS &&
  d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');

const s = await startServer(['--nodes', '100', '--sim-start-delay', '0', '--sim-stop-delay', '0']);
try {
  const req = client(s);
  // Pods at once as the controllers count them: created and not yet terminating (upstream's maxSurge
  // does not count pods that are already being deleted).
  const alive = new Set();
  let peak = 0;
  let created = 0;
  let t0 = 0;
  const bound = new Set();
  const ready = new Set();
  const milestone = (set, name, label) => {
    if (set.has(name)) return;
    set.add(name);
    if (set.size === REPLICAS) out(`  all 1,000 pods ${label} after`, `${((performance.now() - t0) / 1000).toFixed(2)} s`);
  };
  const stream = await watchLines(s, '/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dbig', (line) => {
    const ev = JSON.parse(line);
    const name = ev.object.metadata.name;
    if (ev.type === 'DELETED' || ev.object.metadata.deletionTimestamp) alive.delete(name);
    else if (ev.type === 'ADDED') {
      alive.add(name);
      if (++created === REPLICAS) out('  all 1,000 pods created after', `${((performance.now() - t0) / 1000).toFixed(2)} s`);
    }
    peak = Math.max(peak, alive.size);
    if (ev.object.spec.nodeName) milestone(bound, name, 'bound');
    if (ev.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) milestone(ready, name, 'ready');
  });
  t0 = performance.now();
  const r = await req('POST', '/apis/apps/v1/namespaces/default/deployments', deployment);
  if (r.status !== 201) throw new Error(r.body);
  await until(req, done(1));
  out('Deployment, 1,000 replicas on 100 nodes, to Available', `${((performance.now() - t0) / 1000).toFixed(2)} s`, '< 3 s');
  peak = alive.size;
  bound.clear();
  ready.clear();
  t0 = performance.now();
  const p = await req('PATCH', '/apis/apps/v1/namespaces/default/deployments/big', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } } } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
  if (p.status !== 200) throw new Error(p.body);
  await until(req, done(2));
  out('rolling update of it, maxSurge 25%', `${((performance.now() - t0) / 1000).toFixed(2)} s, at most ${peak} pods at once`, 'peak <= 1,250');
  out('server resident memory after the rollout', `${rssMB(s.proc.pid).toFixed(0)} MB`);
  stream.destroy();
} finally {
  await s.stop();
}
