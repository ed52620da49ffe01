// Issue #3 figure: scheduler throughput, 10,000 pending pods on 1,000 ready nodes, in process with the
// real registry (binding writes, conditions and events included). Prints figures; asserts nothing.
import { lookupResource } from '../dist/api/resources.js';
import { testCluster } from '../dist/testing/fixture.js';
import { Scheduler } from '../dist/scheduler/scheduler.js';
import { createNode, node, pod } from '../dist/scheduler/testobjects.js';

const NODES = 1000;
const PODS = 10000;
const c = testCluster();
for (let i = 0; i < NODES; i++) await createNode(c, node(`node-${String(i).padStart(4, '0')}`));
for (let i = 0; i < PODS; i++) await c.client.pods.create('default', pod(`p-${i}`, { requests: { cpu: '10m', memory: '16Mi' } }));
const scheduler = new Scheduler(c.ctx);
await c.start();
const t0 = performance.now();
scheduler.start();
for (;;) {
  const bound = c.registry.list(lookupResource('', 'v1', 'pods'), 'default', { fieldSelector: 'spec.nodeName!=' }).items.length;
  if (bound >= PODS) break;
  await new Promise((r) => setTimeout(r, 20));
}
const s = (performance.now() - t0) / 1000;
console.log(`${'scheduler: 10,000 pods on 1,000 nodes'.padEnd(52)} ${(PODS / s).toFixed(0)} pods/s (${s.toFixed(2)} s)   (goal >= 1,000 pods/s)`);
scheduler.stop();
c.stop();
process.exit(0);
