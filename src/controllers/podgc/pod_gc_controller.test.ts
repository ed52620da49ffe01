import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { REFS } from '../../client/client.js';
import type { ClientWatchEvent } from '../../client/transport.js';
import { VirtualClock } from '../../machinery/clock.js';
import { testCluster } from '../../testing/fixture.js';
import { PodGCController } from './pod_gc_controller.js';

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('PodGCController', () => {
  it('collects orphans after the quarantine, terminated pods over the threshold, and unscheduled terminating pods', async () => {
    const clock = new VirtualClock();
    const tc = await testCluster(clock);
    const gc = new PodGCController(tc.ctx, { terminatedPodThreshold: 2 });
    await tc.start();
    gc.start();
    const pods = tc.client.resource(REFS.pods);
    const advance = async (ms: number) => {
      for (let t = 0; t < ms; t += 1000) {
        await clock.advance(1000);
        await settle();
      }
    };
    const exists = async (name: string) => !!(await pods.get('default', name).catch(() => undefined));
    const lastBeforeDelete = new Map<string, Pod>();
    const h = tc.client.pods.watch('default', {}, (ev: ClientWatchEvent) => {
      if (ev.type !== 'DELETED') lastBeforeDelete.set(ev.object.metadata.name, ev.object);
    }, () => {});
    try {
      await tc.client.resource(REFS.nodes).create('', { metadata: { name: 'n1' } });
      const containers = [{ name: 'c', image: 'nginx' }];
      for (const name of ['done-1', 'done-2', 'done-3']) {
        const p = await pods.create('default', { metadata: { name }, spec: { nodeName: 'n1', containers } });
        await pods.updateStatus('default', { ...p, status: { phase: 'Succeeded' } });
        await advance(1000);
      }
      await pods.create('default', { metadata: { name: 'orphan' }, spec: { nodeName: 'ghost', containers } });
      await pods.create('default', { metadata: { name: 'unscheduled', finalizers: ['example.com/hold'] }, spec: { containers } });
      await pods.delete('default', 'unscheduled');
      await advance(20_000 - 3000);
      // First pass (20 s): the oldest terminated pod and the unscheduled terminating one; the orphan is quarantined.
      assert.equal(await exists('done-1'), false);
      assert.equal(await exists('done-2'), true);
      assert.equal(await exists('done-3'), true);
      assert.equal((await pods.get('default', 'unscheduled')).status?.phase, 'Failed');
      assert.equal(await exists('orphan'), true);
      await advance(20_000);
      assert.equal(await exists('orphan'), true, 'still in quarantine at 40 s');
      await advance(20_000);
      assert.equal(await exists('orphan'), false, 'gone after the 40 s quarantine');
      const final = lastBeforeDelete.get('orphan')!;
      assert.equal(final.status?.phase, 'Failed');
      const dt = final.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
      assert.deepEqual([dt?.status, dt?.reason, dt?.message], ['True', 'DeletionByPodGC', 'PodGC: node no longer exists']);
    } finally {
      h.stop();
      gc.stop();
      tc.stop();
    }
  });
});
