import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { REFS } from '../../client/client.js';
import { VirtualClock } from '../../machinery/clock.js';
import { testCluster } from '../../testing/fixture.js';
import { TaintEvictionController } from './taint_eviction.js';

const settle = () => new Promise((r) => setTimeout(r, 10));
const TAINT: Taint = { key: 'example.com/maintenance', effect: 'NoExecute' };

describe('TaintEvictionController', () => {
  it('deletes intolerant pods at once, waits out tolerationSeconds, and cancels when the taint goes', async () => {
    const clock = new VirtualClock();
    const tc = await testCluster(clock);
    const tec = new TaintEvictionController(tc.ctx);
    await tc.start();
    tec.start();
    const pods = tc.client.resource(REFS.pods);
    const nodes = tc.client.resource(REFS.nodes);
    const advance = async (ms: number) => {
      for (let t = 0; t < ms; t += 1000) {
        await clock.advance(1000);
        await settle();
      }
    };
    const terminating = async (name: string) => !!(await pods.get('default', name)).metadata.deletionTimestamp;
    const create = (name: string, tolerations?: Toleration[]) => pods.create('default', { metadata: { name }, spec: { nodeName: 'n1', tolerations, containers: [{ name: 'c', image: 'nginx' }] } });
    const events = async () => (await tc.client.resource(REFS.events).list('default')).items.filter((e) => e.reason === 'TaintManagerEviction').map((e) => e.message);
    try {
      await nodes.create('', { metadata: { name: 'n1' } });
      await create('waits', [{ key: TAINT.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]);
      await create('forever', [{ key: TAINT.key, operator: 'Exists' }]);
      await advance(1000);
      const n = await nodes.get('', 'n1');
      await nodes.update('', { ...n, spec: { taints: [TAINT] } });
      await advance(1000);
      await create('intolerant');
      await advance(1000);
      assert.equal(await terminating('intolerant'), true, 'an intolerant pod arriving on the node goes at once');
      await advance(27_000);
      const tainted = await nodes.get('', 'n1');
      await nodes.update('', { ...tainted, spec: { taints: [] } });
      await advance(60_000);
      assert.equal(await terminating('waits'), false, 'cancelled when the taint went');
      assert.equal(await terminating('forever'), false);
      const msgs = await events();
      assert.ok(msgs.includes('Marking for deletion Pod default/intolerant'), msgs.join());
      assert.ok(msgs.includes('Cancelling deletion of Pod default/waits'), msgs.join());
      assert.ok(!msgs.includes('Cancelling deletion of Pod default/intolerant'), 'a deletion that ran is not cancelled');

      const again = await nodes.get('', 'n1');
      await nodes.update('', { ...again, spec: { taints: [TAINT] } });
      await advance(59_000);
      assert.equal(await terminating('waits'), false);
      await advance(2000);
      assert.equal(await terminating('waits'), true, 'deleted 60 s after the taint came back');
    } finally {
      tec.stop();
      tc.stop();
    }
  });
});
