import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { VirtualClock } from '../machinery/clock.js';
import { SimRuntime } from '../runtime/sim/simruntime.js';
import { testCluster } from '../testing/fixture.js';
import { Kubelet } from './kubelet.js';

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('graceful termination', () => {
  it('counts preStop against the grace period and kills at its end', async () => {
    const clock = new VirtualClock();
    const tc = await testCluster(clock);
    const kubelet = new Kubelet(tc.ctx, { nodeName: 'k8ts', podCIDR: '10.244.0.0/24', nodeIP: '192.168.49.2', runtime: new SimRuntime(clock), startDelayMs: 0, stopDelayMs: 0 });
    await tc.start();
    await kubelet.whenRegistered();
    try {
      await tc.client.pods.create('default', {
        metadata: { name: 'zk-0', annotations: { 'sim.k8ts.io/stop-delay': '1m' } },
        spec: {
          nodeName: 'k8ts',
          terminationGracePeriodSeconds: 4,
          containers: [{ name: 'zk', image: 'zookeeper:3.9', lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 1'] } } } }],
        },
      });
      for (let i = 0; i < 10; i++) {
        await clock.advance(0);
        await settle();
      }
      assert.equal((await tc.client.pods.get('default', 'zk-0')).status.phase, 'Running');
      let final: Pod | undefined;
      const h = tc.client.pods.watch('default', {}, (ev) => ev.type === 'DELETED' && (final = ev.object), () => {});
      await tc.client.pods.delete('default', 'zk-0');
      await settle();
      // preStop takes 1 s of the 4 s; SIGTERM gets the 3 s left; the process would need a minute.
      await clock.advance(3_999);
      await settle();
      const during = await tc.client.pods.get('default', 'zk-0');
      assert.equal(during.status.containerStatuses[0].state.running !== undefined, true);
      await clock.advance(1);
      for (let i = 0; i < 5 && !final; i++) await settle();
      h.stop();
      assert.ok(final, 'pod deleted after the grace period');
      const term = final!.status!.containerStatuses![0].state!.terminated!;
      assert.deepEqual([term.exitCode, term.reason], [137, 'Error']);
      assert.equal(final!.status!.phase, 'Failed');
      await assert.rejects(tc.client.pods.get('default', 'zk-0'));
    } finally {
      kubelet.stop();
      tc.stop();
    }
  });
});
