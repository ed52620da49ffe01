import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REFS } from '../client/client.js';
import { waitFor } from '../testing/fixture.js';
import { eventsFor, node, pod, schedulerCluster } from '../testing/schedulerobjects.js';
import { priorityClass } from './testpriority.js';

const cpu = (n: number) => ({ requests: { cpu: String(n) } });

describe('Scheduler preemption', () => {
  it('evicts the fewest lower-priority pods, nominates the node and binds the preemptor once they are gone', async () => {
    const c = await schedulerCluster([node('k8ts', { cpu: '3' })]);
    try {
      await priorityClass(c, 'low', 100);
      await priorityClass(c, 'high', 1000);
      const pods = c.client.resource(REFS.pods);
      for (const name of ['low-0', 'low-1', 'low-2']) {
        await c.client.pods.create('default', pod(name, { ...cpu(1), priorityClassName: 'low' }));
        await c.bound(name);
      }
      await c.client.pods.create('default', pod('high', { ...cpu(2), priorityClassName: 'high' }));
      const nominated = await waitFor(async () => (await pods.get('default', 'high')).status?.nominatedNodeName, 'nomination');
      assert.equal(nominated, 'k8ts');
      const high = await pods.get('default', 'high');
      const cond = high.status!.conditions!.find((x) => x.type === 'PodScheduled')!;
      assert.equal(cond.message, '0/1 nodes are available: 1 Insufficient cpu.');

      const all = (await pods.list('default')).items.filter((p) => p.metadata.name.startsWith('low-'));
      const victims = all.filter((p) => p.metadata.deletionTimestamp);
      assert.equal(victims.length, 2, 'two of three 1-cpu pods make room for 2 cpu');
      for (const v of victims) {
        const dt = v.status!.conditions!.find((x) => x.type === 'DisruptionTarget')!;
        assert.deepEqual([dt.status, dt.reason, dt.message], ['True', 'PreemptionByScheduler', 'default-scheduler: preempting to accommodate a higher priority pod']);
        await waitFor(async () => (await eventsFor(c, v.metadata.name)).includes(`Normal Preempted: Preempted by pod ${high.metadata.uid} on node k8ts`), 'Preempted event');
      }
      // The kubelet finishes the graceful deletions.
      for (const v of victims) await pods.delete('default', v.metadata.name, { gracePeriodSeconds: 0 });
      assert.equal(await c.bound('high'), 'k8ts');
    } finally {
      c.stop();
    }
  });

  it('keeps the nominated room from a lower-priority pod while victims terminate', async () => {
    const c = await schedulerCluster([node('k8ts', { cpu: '2' })]);
    try {
      await priorityClass(c, 'low', 100);
      await priorityClass(c, 'mid', 500, 'Never');
      await priorityClass(c, 'high', 1000);
      const pods = c.client.resource(REFS.pods);
      for (const name of ['victim-a', 'victim-b']) {
        await c.client.pods.create('default', pod(name, { ...cpu(1), priorityClassName: 'low' }));
        await c.bound(name);
      }
      await c.client.pods.create('default', pod('high', { ...cpu(2), priorityClassName: 'high' }));
      await waitFor(async () => (await pods.get('default', 'high')).status?.nominatedNodeName, 'nomination');
      // One victim is gone: a cpu is free, but it is part of the room nominated for "high".
      await pods.delete('default', 'victim-a', { gracePeriodSeconds: 0 });
      await c.client.pods.create('default', pod('mid', { ...cpu(1), priorityClassName: 'mid' }));
      const cond = await c.rejected('mid');
      assert.equal(cond.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
      await pods.delete('default', 'victim-b', { gracePeriodSeconds: 0 });
      assert.equal(await c.bound('high'), 'k8ts');
      assert.equal((await pods.get('default', 'mid')).spec?.nodeName, undefined);
    } finally {
      c.stop();
    }
  });

  it('takes over the nomination of a lower-priority preemptor on the same node', async () => {
    const c = await schedulerCluster([node('k8ts', { cpu: '1' })]);
    try {
      await priorityClass(c, 'low', 100);
      await priorityClass(c, 'mid', 500);
      await priorityClass(c, 'high', 1000);
      const pods = c.client.resource(REFS.pods);
      await c.client.pods.create('default', pod('victim', { ...cpu(1), priorityClassName: 'low' }));
      await c.bound('victim');
      await c.client.pods.create('default', pod('mid', { ...cpu(1), priorityClassName: 'mid' }));
      await waitFor(async () => (await pods.get('default', 'mid')).status?.nominatedNodeName, 'mid nominated');
      await c.client.pods.create('default', pod('high', { ...cpu(1), priorityClassName: 'high' }));
      await waitFor(async () => (await pods.get('default', 'high')).status?.nominatedNodeName === 'k8ts', 'high nominated');
      await waitFor(async () => !(await pods.get('default', 'mid')).status?.nominatedNodeName, 'mid nomination cleared');
      await pods.delete('default', 'victim', { gracePeriodSeconds: 0 });
      assert.equal(await c.bound('high'), 'k8ts');
    } finally {
      c.stop();
    }
  });

  it('does not preempt for a pod whose class says preemptionPolicy Never', async () => {
    const c = await schedulerCluster([node('k8ts', { cpu: '1' })]);
    try {
      await priorityClass(c, 'low', 100);
      await priorityClass(c, 'polite', 1000, 'Never');
      await c.client.pods.create('default', pod('low', { ...cpu(1), priorityClassName: 'low' }));
      await c.bound('low');
      await c.client.pods.create('default', pod('polite', { ...cpu(1), priorityClassName: 'polite' }));
      const cond = await c.rejected('polite');
      assert.equal(cond.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
      const low = await c.client.resource(REFS.pods).get('default', 'low');
      assert.equal(low.metadata.deletionTimestamp, undefined);
    } finally {
      c.stop();
    }
  });
});
