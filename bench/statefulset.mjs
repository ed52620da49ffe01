// Issue #3 figures: Parallel StatefulSet of 1,000 replicas on 10 nodes, OrderedReady of 200, and resident
// memory with 10,000 running simulated pods; zero simulated delays. Prints figures; asserts nothing.
import { client, rssMB, startServer } from './lib.mjs';

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
s = await startServer(['--nodes', '2', ...zero]);
out('OrderedReady StatefulSet, 200 replicas', `${(await timeToReady(s, 'ord', 200, 'OrderedReady')).toFixed(2)} s to all Ready`, '< 4 s');
await s.stop();
s = await startServer(['--nodes', '100', ...zero]);
const t = await timeToReady(s, 'big', 10000, 'Parallel');
await new Promise((r) => setTimeout(r, 2000));
out('10,000 running simulated pods on 100 nodes', `${rssMB(s.proc.pid).toFixed(0)} MB resident (ready after ${t.toFixed(1)} s)`, '< 400 MB');
await s.stop();
