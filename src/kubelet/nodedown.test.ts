import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeCondition, PodCondition } from 'kubernetes-types/core/v1.js';
import { VirtualClock } from '../machinery/clock.js';
import { SimRuntime } from '../runtime/sim/simruntime.js';
import { testCluster, waitFor } from '../testing/fixture.js';
import { Kubelet, NODE_DOWN_ANNOTATION } from './kubelet.js';

const NODE = 'k8ts-m02';
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('simulated node down (sim.k8ts.io/down)', () => {
  it('goes silent while annotated and reconciles when the annotation is removed', async () => {
    const clock = new VirtualClock();
    const tc = await testCluster(clock);
    const kubelet = new Kubelet(tc.ctx, { nodeName: NODE, podCIDR: '10.244.1.0/24', nodeIP: '192.168.49.3', runtime: new SimRuntime(clock), startDelayMs: 0, stopDelayMs: 0 });
    await tc.start();
    await kubelet.whenRegistered();
    const advance = async (ms: number) => {
      for (let t = 0; t < ms; t += 1000) {
        await clock.advance(Math.min(1000, ms - t));
        await settle();
      }
    };
    const ready = (p: { status?: { conditions?: PodCondition[] } }) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const gone = async (name: string) => !(await tc.client.pods.get('default', name).catch(() => undefined));
    const spec = { nodeName: NODE, containers: [{ name: 'nginx', image: 'nginx:1.27' }] };
    try {
      await advance(0);
      for (const name of ['stays', 'deleted']) await tc.client.pods.create('default', { metadata: { name }, spec });
      await waitFor(async () => ready(await tc.client.pods.get('default', 'stays')) === 'True' && ready(await tc.client.pods.get('default', 'deleted')) === 'True', 'pods Ready', 5000, () => advance(1000));

      await tc.client.nodes.patch('', NODE, 'merge', { metadata: { annotations: { [NODE_DOWN_ANNOTATION]: 'true' } } });
      await advance(1000);
      const lease0 = await tc.client.leases.get('kube-node-lease', NODE);
      const node0 = await tc.client.nodes.get('', NODE);
      await tc.client.pods.delete('default', 'deleted');
      await tc.client.pods.create('default', { metadata: { name: 'late' }, spec });
      await advance(60_000);
      const lease1 = await tc.client.leases.get('kube-node-lease', NODE);
      const node1 = await tc.client.nodes.get('', NODE);
      assert.equal(lease1.spec.renewTime, lease0.spec.renewTime, 'no lease renewal while down');
      const hb = (n: typeof node0) => n.status.conditions.find((c: NodeCondition) => c.type === 'Ready').lastHeartbeatTime;
      assert.equal(hb(node1), hb(node0), 'no node status while down');
      const deleted = await tc.client.pods.get('default', 'deleted');
      assert.ok(deleted.metadata.deletionTimestamp, 'still Terminating');
      assert.equal(deleted.status.phase, 'Running');
      assert.equal((await tc.client.pods.get('default', 'late')).status.containerStatuses, undefined, 'a pod bound meanwhile is not started');

      await tc.client.nodes.patch('', NODE, 'merge', { metadata: { annotations: { [NODE_DOWN_ANNOTATION]: null } } });
      await waitFor(() => gone('deleted'), 'the Terminating pod gone', 5000, () => advance(1000));
      await waitFor(async () => ready(await tc.client.pods.get('default', 'late')) === 'True', 'late Ready', 5000, () => advance(1000));
      assert.equal(ready(await tc.client.pods.get('default', 'stays')), 'True');
      const lease2 = await tc.client.leases.get('kube-node-lease', NODE);
      assert.ok(Date.parse(lease2.spec.renewTime) > Date.parse(lease1.spec.renewTime), 'lease renewed again');
      assert.ok(Date.parse(hb(await tc.client.nodes.get('', NODE))) > Date.parse(hb(node1)), 'status posted again');
    } finally {
      kubelet.stop();
      tc.stop();
    }
  });
});
