import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookupResource } from '../api/resources.js';
import { testCluster } from '../testing/fixture.js';
import { bootstrap } from './bootstrap.js';

test('bootstrap creates the two system PriorityClasses, once', async () => {
  const c = await testCluster();
  const r = lookupResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
  const pick = () => c.registry.list(r, '').items.map((o) => {
    const pc = o as unknown as { metadata: { name: string }; value: number; description: string; preemptionPolicy: string; globalDefault?: boolean };
    return [pc.metadata.name, pc.value, pc.description, pc.preemptionPolicy, pc.globalDefault];
  });
  const want = [
    ['system-cluster-critical', 2000000000, 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.', 'PreemptLowerPriority', undefined],
    ['system-node-critical', 2000001000, 'Used for system critical pods that must not be moved from their current node.', 'PreemptLowerPriority', undefined],
  ];
  assert.deepEqual(pick(), want);
  // A restart on the same store finds them and leaves them as they are.
  await bootstrap(c.registry, { ip: '192.168.49.1', port: 6443 }, c.clock.now());
  assert.deepEqual(pick(), want);
});

test('the system PriorityClasses cannot be deleted; a user class can', async () => {
  const c = await testCluster();
  const r = lookupResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
  await assert.rejects(c.registry.delete(r, '', 'system-node-critical'), (e: unknown) => {
    assert.equal((e as { code: number }).code, 403);
    assert.equal((e as Error).message, 'priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted');
    return true;
  });
  await c.registry.create(r, '', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'batch-low' }, value: 10 } as never);
  await c.registry.delete(r, '', 'batch-low');
  assert.deepEqual(c.registry.list(r, '').items.map((o) => o.metadata.name), ['system-cluster-critical', 'system-node-critical']);
});
