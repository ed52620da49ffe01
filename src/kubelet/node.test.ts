import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeCondition } from 'kubernetes-types/core/v1.js';
import { VirtualClock } from '../machinery/clock.js';
import { REFS } from '../client/client.js';
import { SimRuntime } from '../runtime/sim/simruntime.js';
import { testCluster, waitFor } from '../testing/fixture.js';
import { Kubelet } from './kubelet.js';

describe('kubelet restart (k8ts server restarted on its data directory)', () => {
  it('runs the pods again as after a node reboot: same IP, restartCount + 1, lastState Unknown', async () => {
    const tc = await testCluster();
    const opts = { nodeName: 'k8ts', podCIDR: '10.244.0.0/24', nodeIP: '192.168.49.2', startDelayMs: 0, stopDelayMs: 0 };
    const first = new Kubelet(tc.ctx, { ...opts, runtime: new SimRuntime(tc.clock) });
    await tc.start();
    await first.whenRegistered();
    await tc.client.pods.create('default', { metadata: { name: 'web-0' }, spec: { nodeName: 'k8ts', containers: [{ name: 'nginx', image: 'nginx:1.27' }] } });
    const before = await waitFor(async () => {
      const p = await tc.client.pods.get('default', 'web-0');
      return p.status.containerStatuses?.[0]?.ready && p;
    }, 'web-0 ready');
    first.stop();
    // A restarted server lists pods afresh; here the shared informer must have caught up first.
    await waitFor(() => tc.informers.get(REFS.pods).getByName('default', 'web-0')?.status?.containerStatuses?.[0]?.ready, 'informer caught up');

    const second = new Kubelet(tc.ctx, { ...opts, runtime: new SimRuntime(tc.clock) });
    await second.whenRegistered();
    try {
      const after = await waitFor(async () => {
        const p = await tc.client.pods.get('default', 'web-0');
        return p.status.containerStatuses[0].restartCount === 1 && p.status.containerStatuses[0].ready && p;
      }, 'web-0 running again');
      const c = after.status.containerStatuses[0];
      assert.equal(after.status.podIP, before.status.podIP);
      assert.equal(after.status.startTime, before.status.startTime);
      assert.deepEqual([c.lastState.terminated.reason, c.lastState.terminated.exitCode], ['Unknown', 255]);
      assert.equal(c.lastState.terminated.containerID, before.status.containerStatuses[0].containerID);
      assert.notEqual(c.containerID, before.status.containerStatuses[0].containerID);
    } finally {
      second.stop();
      tc.stop();
    }
  });
});

describe('node heartbeats', () => {
  it('renews the Lease every 10s and posts node status with fresh heartbeat times', async () => {
    const clock = new VirtualClock();
    const tc = await testCluster(clock);
    const kubelet = new Kubelet(tc.ctx, { nodeName: 'k8ts-m02', podCIDR: '10.244.1.0/24', nodeIP: '192.168.49.3', runtime: new SimRuntime(clock), startDelayMs: 0, stopDelayMs: 0 });
    await tc.start();
    await kubelet.whenRegistered();
    const settle = () => new Promise((r) => setTimeout(r, 20));
    try {
      await clock.advance(0);
      await settle();
      const lease0 = await tc.client.leases.get('kube-node-lease', 'k8ts-m02');
      const node0 = await tc.client.nodes.get('', 'k8ts-m02');
      await clock.advance(10_000);
      await settle();
      const lease1 = await tc.client.leases.get('kube-node-lease', 'k8ts-m02');
      assert.equal(Date.parse(lease1.spec.renewTime) - Date.parse(lease0.spec.renewTime), 10_000);
      await clock.advance(20_000);
      await settle();
      const node1 = await tc.client.nodes.get('', 'k8ts-m02');
      const ready0 = node0.status.conditions.find((c: NodeCondition) => c.type === 'Ready');
      const ready1 = node1.status.conditions.find((c: NodeCondition) => c.type === 'Ready');
      assert.equal(Date.parse(ready1.lastHeartbeatTime) - Date.parse(ready0.lastHeartbeatTime), 30_000);
      assert.equal(ready1.lastTransitionTime, ready0.lastTransitionTime);
    } finally {
      kubelet.stop();
      tc.stop();
    }
  });
});
