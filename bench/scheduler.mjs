// Issues #3 and #10 figures: scheduler throughput on 1,000 nodes: 10,000 plain pods, then 5,000 pods in
// 1,000 groups of five, each group with pod anti-affinity on kubernetes.io/hostname, required and then
// preferred (upstream's scheduler_perf measures affinity workloads the same way). In process: the real API (registry,
// admission, bindings) and the real scheduler, nodes as bare Node objects. Prints figures; asserts nothing.
import { REFS } from '../dist/client/client.js';
import { Scheduler } from '../dist/scheduler/scheduler.js';
import { testCluster } from '../dist/testing/fixture.js';

const NODES = 1000;
const GROUP = 5;
const out = (label, value, goal) => console.log(`${label.padEnd(60)} ${value}${goal ? `   (goal ${goal})` : ''}`);

function node(i) {
  const name = `node-${i}`;
  const capacity = { cpu: '32', memory: '128Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
  };
}

function pod(i, kind) {
  const group = `g${Math.floor(i / GROUP)}`;
  if (kind === 'plain') return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `plain-${i}`, labels: { group } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '10m', memory: '10Mi' } } }] } };
  const term = { labelSelector: { matchLabels: { group } }, topologyKey: 'kubernetes.io/hostname' };
  const podAntiAffinity =
    kind === 'required' ? { requiredDuringSchedulingIgnoredDuringExecution: [term] } : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${kind}-${i}`, labels: { group } },
    spec: { affinity: { podAntiAffinity }, containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '10m', memory: '10Mi' } } }] },
  };
}

async function run(kind, PODS) {
  const cluster = await testCluster();
  const scheduler = new Scheduler(cluster.ctx);
  let bound = 0;
  let done;
  const all = new Promise((r) => (done = r));
  cluster.informers.get(REFS.pods).addHandler({
    update: (old, p) => {
      if (!old.spec?.nodeName && p.spec?.nodeName && ++bound === PODS) done();
    },
  });
  await cluster.start();
  for (let i = 0; i < NODES; i++) await cluster.client.nodes.create('', node(i));
  // Pods are created first and only then handed to the scheduler, so the figure is the scheduler's rate.
  for (let i = 0; i < PODS; i++) await cluster.client.pods.create('default', pod(i, kind));
  const t0 = performance.now();
  scheduler.start();
  await all;
  const s = (performance.now() - t0) / 1000;
  const pods = cluster.informers.get(REFS.pods).list();
  const perNode = new Map();
  for (const p of pods) perNode.set(`${p.metadata.labels.group}/${p.spec.nodeName}`, (perNode.get(`${p.metadata.labels.group}/${p.spec.nodeName}`) ?? 0) + 1);
  const crowded = [...perNode.values()].filter((n) => n > 1).length;
  scheduler.stop();
  cluster.stop();
  return { s, crowded };
}

const plain = await run('plain', 10000);
out('no affinity, 10,000 pods on 1,000 nodes', `${(10000 / plain.s).toFixed(0)} pods/s (${plain.s.toFixed(2)} s)`);
const PODS = 5000;
const required = await run('required', PODS);
out('required anti-affinity, 5,000 pods on 1,000 nodes', `${(PODS / required.s).toFixed(0)} pods/s (${required.s.toFixed(2)} s, ${required.crowded} groups sharing a node)`, '>= 1,000 pods/s');
const preferred = await run('preferred', PODS);
out('preferred anti-affinity, 5,000 pods on 1,000 nodes', `${(PODS / preferred.s).toFixed(0)} pods/s (${preferred.s.toFixed(2)} s, ${preferred.crowded} groups sharing a node)`, '>= 500 pods/s');
