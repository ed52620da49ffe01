import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REFS } from '../client/client.js';
import { waitFor } from '../testing/fixture.js';
import { createNode, eventsFor, node, pod, schedulerCluster } from '../testing/schedulerobjects.js';

describe('Scheduler', () => {
  it('binds a pending pod to a ready node, with PodScheduled=True and a Scheduled event', async () => {
    const c = await schedulerCluster([node('k8ts')]);
    try {
      await c.client.pods.create('default', pod('web-0'));
      assert.equal(await c.bound('web-0'), 'k8ts');
      const p = await c.client.resource(REFS.pods).get('default', 'web-0');
      assert.equal(p.status!.conditions!.find((x) => x.type === 'PodScheduled')!.status, 'True');
      const events = await waitFor(async () => {
        const e = await eventsFor(c, 'web-0');
        return e.length ? e : undefined;
      }, 'Scheduled event');
      assert.deepEqual(events, ['Normal Scheduled: Successfully assigned default/web-0 to k8ts']);
      const ev = (await c.client.events.list('default')).items[0];
      assert.equal(ev.source.component, 'default-scheduler');
      assert.equal(ev.involvedObject.kind, 'Pod');
    } finally {
      c.stop();
    }
  });

  it('leaves pods of other schedulers and pods that already have a node alone', async () => {
    const c = await schedulerCluster([node('k8ts'), node('k8ts-m02')]);
    try {
      await c.client.pods.create('default', pod('custom', { schedulerName: 'my-scheduler' }));
      await c.client.pods.create('default', pod('pinned', { nodeName: 'k8ts-m02' }));
      await c.client.pods.create('default', pod('mine'));
      assert.equal(await c.bound('mine'), 'k8ts');
      const custom = await c.client.pods.get('default', 'custom');
      assert.equal(custom.spec.nodeName, undefined);
      assert.equal(custom.status.conditions, undefined);
      assert.equal((await c.client.pods.get('default', 'pinned')).spec.nodeName, 'k8ts-m02');
    } finally {
      c.stop();
    }
  });

  it('does not bind to a node that is not Ready', async () => {
    const c = await schedulerCluster([node('k8ts', { ready: 'False' }), node('k8ts-m02', { ready: 'Unknown' })]);
    try {
      await c.client.pods.create('default', pod('web-0'));
      const cond = await c.rejected('web-0');
      assert.equal(
        cond.message,
        '0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
      );
      // The kubelet reports Ready; the pod is retried and placed.
      const n = structuredClone(await c.client.nodes.get('', 'k8ts'));
      n.status.conditions[0].status = 'True';
      await c.client.nodes.updateStatus('', n);
      assert.equal(await c.bound('web-0'), 'k8ts');
    } finally {
      c.stop();
    }
  });

  it('spreads the pods of one StatefulSet across three nodes', async () => {
    const c = await schedulerCluster([node('k8ts'), node('k8ts-m02'), node('k8ts-m03')]);
    try {
      const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-web-uid', controller: true, blockOwnerDeletion: true };
      const other = { ...owner, name: 'db', uid: 'sts-db-uid' };
      // Another workload's pod already on k8ts-m03 must not change where web's pods go.
      await c.client.pods.create('default', pod('db-0', { nodeName: 'k8ts-m03' }, { ownerReferences: [other] }));
      const placed: string[] = [];
      for (let i = 0; i < 3; i++) {
        await c.client.pods.create('default', pod(`web-${i}`, {}, { labels: { app: 'nginx' }, ownerReferences: [owner] }));
        placed.push(await c.bound(`web-${i}`));
      }
      assert.deepEqual([...placed].sort(), ['k8ts', 'k8ts-m02', 'k8ts-m03']);
      // The fourth pod joins a node with one of them, never one with two.
      await c.client.pods.create('default', pod('web-3', {}, { ownerReferences: [owner] }));
      assert.ok(['k8ts', 'k8ts-m02'].includes(await c.bound('web-3')));
    } finally {
      c.stop();
    }
  });

  it('schedules a pending pod once its node is uncordoned', async () => {
    const c = await schedulerCluster([node('k8ts', { unschedulable: true })]);
    try {
      await c.client.pods.create('default', pod('web-0'));
      const cond = await c.rejected('web-0');
      assert.equal(cond.message, '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
      assert.equal(cond.lastProbeTime, null);
      await waitFor(async () => (await eventsFor(c, 'web-0')).includes(`Warning FailedScheduling: ${cond.message}`), 'FailedScheduling event');
      await c.client.nodes.patch('', 'k8ts', 'merge', { spec: { unschedulable: false } });
      assert.equal(await c.bound('web-0'), 'k8ts');
      await waitFor(async () => (await eventsFor(c, 'web-0')).includes('Normal Scheduled: Successfully assigned default/web-0 to k8ts'), 'Scheduled event');
    } finally {
      c.stop();
    }
  });

  it('retries a pod when a node joins, and when a pod on the full node goes away', async () => {
    const c = await schedulerCluster([node('k8ts', { pods: '1' })]);
    try {
      await c.client.pods.create('default', pod('first'));
      await c.bound('first');
      await c.client.pods.create('default', pod('second'));
      const cond = await c.rejected('second');
      assert.equal(cond.message, '0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
      await c.client.pods.delete('default', 'first', { gracePeriodSeconds: 0 });
      assert.equal(await c.bound('second'), 'k8ts');
      await c.client.pods.create('default', pod('third'));
      await c.rejected('third');
      await createNode(c, node('k8ts-m02'));
      assert.equal(await c.bound('third'), 'k8ts-m02');
    } finally {
      c.stop();
    }
  });

  it('reports "no nodes available to schedule pods" in a cluster without nodes', async () => {
    const c = await schedulerCluster([]);
    try {
      await c.client.pods.create('default', pod('web-0'));
      const cond = await c.rejected('web-0');
      assert.equal(cond.message, 'no nodes available to schedule pods');
      await createNode(c, node('k8ts'));
      assert.equal(await c.bound('web-0'), 'k8ts');
    } finally {
      c.stop();
    }
  });

  it('keeps a gated pod out of scheduling until its gates are removed', async () => {
    const c = await schedulerCluster([node('k8ts')]);
    try {
      await c.client.pods.create('default', pod('web-0', { schedulingGates: [{ name: 'example.com/wait' }] }));
      const cond = await c.rejected('web-0', 'SchedulingGated');
      assert.equal(cond.message, 'Scheduling is blocked due to non-empty scheduling gates');
      await c.client.pods.patch('default', 'web-0', 'merge', { spec: { schedulingGates: null } });
      assert.equal(await c.bound('web-0'), 'k8ts');
    } finally {
      c.stop();
    }
  });
});
