// Issue #3 and #9 figures: Parallel StatefulSets of 1,000, 3,000 and 10,000 replicas, OrderedReady of 200, and resident
// memory with 10,000 running simulated pods; zero simulated delays. BENCH_QUICK=1 leaves out the 10,000-replica
// set. Prints figures; asserts nothing.
import { client, pool, rssMB, startServer } from './lib.mjs';

const out = (label, value, goal) => console.log(`${label.padEnd(52)} ${value}${goal ? `   (goal ${goal})` : ''}`);

function sts(name, replicas, policy) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: name,
      replicas,
      podManagementPolicy: policy,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] } },
    },
  };
}

async function timeToReady(s, name, replicas, policy) {
  const req = client(s);
  const t0 = performance.now();
  const r = await req('POST', '/apis/apps/v1/namespaces/default/statefulsets', sts(name, replicas, policy));
  if (r.status !== 201) throw new Error(r.body);
  for (;;) {
    const got = JSON.parse((await req('GET', `/apis/apps/v1/namespaces/default/statefulsets/${name}`)).body);
    if ((got.status?.readyReplicas ?? 0) >= replicas) break;
    await new Promise((res) => setTimeout(res, 25));
  }
  return (performance.now() - t0) / 1000;
}

const zero = ['--sim-start-delay', '0', '--sim-stop-delay', '0'];
let s = await startServer(['--nodes', '10', ...zero]);
out('Parallel StatefulSet, 1,000 replicas on 10 nodes', `${(await timeToReady(s, 'par', 1000, 'Parallel')).toFixed(2)} s to readyReplicas=1000`, '< 5 s');
await s.stop();
// Three times the pods: a per-event cost that grows with the set shows here (nodes take 110 pods each).
s = await startServer(['--nodes', '30', ...zero]);
out('Parallel StatefulSet, 3,000 replicas on 30 nodes', `${(await timeToReady(s, 'par3k', 3000, 'Parallel')).toFixed(2)} s to readyReplicas=3000`);
await s.stop();
if (!process.env.BENCH_QUICK) {
  s = await startServer(['--nodes', '100', ...zero]);
  const t = await timeToReady(s, 'par10k', 10000, 'Parallel');
  out('Parallel StatefulSet, 10,000 replicas on 100 nodes', `${t.toFixed(1)} s to readyReplicas=10000, ${rssMB(s.proc.pid).toFixed(0)} MB resident`, '< 30 s');
  await s.stop();
}
s = await startServer(['--nodes', '2', ...zero]);
out('OrderedReady StatefulSet, 200 replicas', `${(await timeToReady(s, 'ord', 200, 'OrderedReady')).toFixed(2)} s to all Ready`, '< 4 s');
await s.stop();
// Memory of the node side: 10,000 pods bound straight to 100 nodes (no StatefulSet controller in the way).
s = await startServer(['--nodes', '100', ...zero]);
const req = client(s, 16);
const t0 = performance.now();
await pool(10000, 16, async (i) => {
  const node = i % 100 === 0 ? 'k8ts' : `k8ts-m${String((i % 100) + 1).padStart(2, '0')}`;
  const r = await req('POST', '/api/v1/namespaces/default/pods', { metadata: { name: `p-${i}` }, spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx' }] } });
  if (r.status !== 201) throw new Error(r.body);
});
for (;;) {
  const list = JSON.parse((await req('GET', '/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning&limit=1')).body);
  if ((list.metadata.remainingItemCount ?? 0) + list.items.length >= 10000) break;
  await new Promise((r) => setTimeout(r, 200));
}
const t = (performance.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 2000));
out('10,000 running simulated pods on 100 nodes', `${rssMB(s.proc.pid).toFixed(0)} MB resident (all Running after ${t.toFixed(1)} s)`, '< 400 MB');
await s.stop();
