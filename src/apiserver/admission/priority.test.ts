import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { isStatusError } from '../../machinery/errors.js';
import { testCluster, type TestCluster } from '../../testing/fixture.js';

const classes = (c: TestCluster) => c.client.resource<PriorityClass>({ group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses' });
const priorityClass = (name: string, value: number, extra: Partial<PriorityClass> = {}): PriorityClass => ({
  apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra,
});
const pod = (name: string, spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
});

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(isStatusError(e, 'Forbidden'), String(e));
    assert.equal(e.code, 403);
    return e.message;
  }
  assert.fail('admitted');
}

test("a pod naming a class gets the class's priority and preemption policy", async () => {
  const c = await testCluster();
  await classes(c).create('', priorityClass('high', 1000, { preemptionPolicy: 'Never' }));
  const created = await c.client.pods.create('default', pod('p', { priorityClassName: 'high' }));
  assert.equal(created.spec.priority, 1000);
  assert.equal(created.spec.preemptionPolicy, 'Never');
});

test('a pod may name a system class; one naming no class, with no default, gets priority 0', async () => {
  const c = await testCluster();
  const critical = await c.client.pods.create('kube-system', pod('dns', { priorityClassName: 'system-cluster-critical' }));
  assert.equal(critical.spec.priority, 2000000000);
  assert.equal(critical.spec.preemptionPolicy, 'PreemptLowerPriority');
  const plain = await c.client.pods.create('default', pod('plain'));
  assert.equal(plain.spec.priority, 0);
  assert.equal(plain.spec.preemptionPolicy, 'PreemptLowerPriority');
  assert.equal(plain.spec.priorityClassName, undefined);
});

test('an unknown class is refused with 403', async () => {
  const c = await testCluster();
  assert.equal(
    await refusal(c.client.pods.create('default', pod('p', { priorityClassName: 'nope' }))),
    'pods "p" is forbidden: no PriorityClass with name nope was found',
  );
});

test('a priority the pod sets itself must agree with its class', async () => {
  const c = await testCluster();
  await classes(c).create('', priorityClass('high', 1000));
  assert.equal(
    await refusal(c.client.pods.create('default', pod('p', { priorityClassName: 'high', priority: 5 }))),
    'pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
  );
  assert.equal(
    await refusal(c.client.pods.create('default', pod('q', { priorityClassName: 'high', preemptionPolicy: 'Never' }))),
    'pods "q" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name',
  );
  const agreeing = await c.client.pods.create('default', pod('r', { priorityClassName: 'high', priority: 1000 }));
  assert.equal(agreeing.spec.priority, 1000);
});

test('the globalDefault class applies to pods naming none, and only one may exist', async () => {
  const c = await testCluster();
  await classes(c).create('', priorityClass('default-tier', 50, { globalDefault: true }));
  const p = await c.client.pods.create('default', pod('p'));
  assert.equal(p.spec.priorityClassName, 'default-tier');
  assert.equal(p.spec.priority, 50);

  assert.equal(
    await refusal(classes(c).create('', priorityClass('second', 60, { globalDefault: true }))),
    'priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass default-tier is already marked as default. Only one default can exist',
  );
  const other = await classes(c).create('', priorityClass('other', 10));
  assert.equal(
    await refusal(classes(c).update('', { ...other, globalDefault: true })),
    'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass default-tier is already marked as default. Only one default can exist',
  );
  // The default itself may be updated while it stays default.
  const current = await classes(c).get('', 'default-tier');
  const updated = await classes(c).update('', { ...current, description: 'the usual' });
  assert.equal(updated.description, 'the usual');
});

test('an update that leaves out priority and preemptionPolicy keeps them', async () => {
  const c = await testCluster();
  await classes(c).create('', priorityClass('high', 1000));
  const created = await c.client.pods.create('default', pod('p', { priorityClassName: 'high' }));
  const body = structuredClone(created);
  delete body.spec.priority;
  delete body.spec.preemptionPolicy;
  body.metadata.labels = { touched: 'yes' };
  const updated = await c.client.pods.update('default', body);
  assert.equal(updated.spec.priority, 1000);
  assert.equal(updated.spec.preemptionPolicy, 'PreemptLowerPriority');
});
