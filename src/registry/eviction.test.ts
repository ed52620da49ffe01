import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiResourceList } from '../apiserver/discovery.js';
import { VirtualClock } from '../machinery/clock.js';
import { StatusError } from '../machinery/errors.js';
import { testCluster, type TestCluster } from '../testing/fixture.js';
import { evictPod } from './eviction.js';

const NOW = '2026-01-01T00:00:00Z';
const TOO_MANY = "Cannot evict pod as it would violate the pod's disruption budget.";

interface PodSpec {
  labels?: Record<string, string>;
  phase?: string;
  ready?: boolean;
}

async function cluster(): Promise<TestCluster> {
  return testCluster(new VirtualClock());
}

async function makePod(c: TestCluster, name: string, { labels = { app: 'web' }, phase = 'Running', ready = true }: PodSpec = {}): Promise<Pod> {
  const created = await c.client.pods.create('default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx' }] },
  });
  const conditions = [{ type: 'Ready', status: ready ? 'True' : 'False' }];
  return c.client.pods.updateStatus('default', { ...structuredClone(created), status: { phase, conditions } });
}

const pdbStatus = (s: Partial<PodDisruptionBudgetStatus>): PodDisruptionBudgetStatus => ({
  observedGeneration: 1,
  currentHealthy: 3,
  desiredHealthy: 2,
  expectedPods: 3,
  disruptionsAllowed: 1,
  ...s,
});

async function makePdb(c: TestCluster, name: string, status: Partial<PodDisruptionBudgetStatus>, spec: Partial<PodDisruptionBudget['spec']> = {}): Promise<PodDisruptionBudget> {
  const created = await c.client.podDisruptionBudgets.create('default', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name },
    spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } }, ...spec },
  });
  return c.client.podDisruptionBudgets.updateStatus('default', { ...structuredClone(created), status: pdbStatus(status) });
}

const eviction = (name: string, deleteOptions?: object, apiVersion = 'policy/v1') => ({ apiVersion, kind: 'Eviction', metadata: { name, namespace: 'default' }, ...(deleteOptions ? { deleteOptions } : {}) });

const evict = (c: TestCluster, name: string, deleteOptions?: object) => c.client.pods.createSubresource('default', name, 'eviction', eviction(name, deleteOptions));

const getPod = (c: TestCluster, name: string) => c.registry.store.get('pods', 'default', name)?.object as Pod | undefined;
const getPdb = (c: TestCluster, name: string) => c.registry.store.get('policy/poddisruptionbudgets', 'default', name)?.object as PodDisruptionBudget;

function rejectsWith(p: Promise<unknown>, code: number, reason: string, message: string): Promise<void> {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.reason, reason);
    assert.equal(e.message, message);
    return true;
  });
}

function disruptionTarget(pod: Pod | undefined) {
  return pod?.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
}

describe('pods/eviction', () => {
  it('evicts a pod no budget covers: DisruptionTarget, then a graceful delete, and a Success Status', async () => {
    const c = await cluster();
    await makePod(c, 'web-0');
    const out = await evict(c, 'web-0');
    assert.deepEqual(out, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    const pod = getPod(c, 'web-0')!;
    assert.equal(pod.metadata?.deletionTimestamp, '2026-01-01T00:00:30Z');
    assert.equal(pod.metadata?.deletionGracePeriodSeconds, 30);
    assert.deepEqual(disruptionTarget(pod), { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: NOW, reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
  });

  it('honours gracePeriodSeconds and propagationPolicy of the delete options', async () => {
    const c = await cluster();
    await makePod(c, 'web-0');
    await makePod(c, 'web-1');
    await evict(c, 'web-0', { gracePeriodSeconds: 0 });
    assert.equal(getPod(c, 'web-0'), undefined);
    await evict(c, 'web-1', { gracePeriodSeconds: 5, propagationPolicy: 'Orphan' });
    const pod = getPod(c, 'web-1')!;
    assert.equal(pod.metadata?.deletionGracePeriodSeconds, 5);
    assert.deepEqual(pod.metadata?.finalizers, ['orphan']);
  });

  it('accepts policy/v1beta1 and refuses other versions and a name that is not the URL name', async () => {
    const c = await cluster();
    await makePod(c, 'web-0');
    await rejectsWith(c.client.pods.createSubresource('default', 'web-0', 'eviction', eviction('web-0', undefined, 'policy/v2')), 400, 'BadRequest', 'the API version in the data (policy/v2) does not match the expected API version (policy/v1)');
    await rejectsWith(c.client.pods.createSubresource('default', 'web-0', 'eviction', eviction('web-1')), 400, 'BadRequest', 'name in URL does not match name in Eviction object');
    const out = await c.client.pods.createSubresource('default', 'web-0', 'eviction', eviction('web-0', undefined, 'policy/v1beta1'));
    assert.equal((out as { status: string }).status, 'Success');
  });

  it('is a 404 for a missing pod', async () => {
    const c = await cluster();
    await rejectsWith(evict(c, 'nope'), 404, 'NotFound', 'pods "nope" not found');
  });

  it('deletes pending, terminal and terminating pods without asking the budget', async () => {
    const c = await cluster();
    await makePdb(c, 'pdb', { disruptionsAllowed: 0 });
    await makePod(c, 'pending', { phase: 'Pending', ready: false });
    await makePod(c, 'failed', { phase: 'Failed', ready: false });
    await makePod(c, 'running');
    await c.client.pods.delete('default', 'running', { gracePeriodSeconds: 60 });
    for (const name of ['pending', 'failed', 'running']) await evict(c, name);
    assert.equal(getPod(c, 'failed'), undefined, 'a terminal pod has no grace');
    assert.ok(disruptionTarget(getPod(c, 'pending')));
    assert.equal(getPod(c, 'running')?.metadata?.deletionGracePeriodSeconds, 30, 'the eviction shortens the grace as a delete would');
    assert.equal(getPdb(c, 'pdb').status?.disruptionsAllowed, 0);
    assert.equal(getPdb(c, 'pdb').status?.disruptedPods, undefined);
  });

  it('is a 500 Status for a pod more than one budget covers', async () => {
    const c = await cluster();
    await makePod(c, 'web-0');
    await makePdb(c, 'a', {});
    await makePdb(c, 'b', {});
    await assert.rejects(evict(c, 'web-0'), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.deepEqual(e.toStatus(), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
        code: 500,
      });
      return true;
    });
    assert.equal(getPod(c, 'web-0')?.metadata?.deletionTimestamp, undefined);
  });

  it('ignores budgets without a selector or selecting other pods', async () => {
    const c = await cluster();
    await makePod(c, 'web-0');
    await makePdb(c, 'none', { disruptionsAllowed: 0 }, { selector: undefined });
    await makePdb(c, 'other', { disruptionsAllowed: 0 }, { selector: { matchLabels: { app: 'db' } } });
    await evict(c, 'web-0');
    assert.ok(getPod(c, 'web-0')?.metadata?.deletionTimestamp);
  });

  it('counts a budget with an empty selector, which selects every pod in policy/v1', async () => {
    const c = await cluster();
    await makePod(c, 'web-0');
    await makePdb(c, 'all', { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1 }, { selector: {} });
    await assert.rejects(evict(c, 'web-0'), (e: unknown) => e instanceof StatusError && e.code === 429);
    assert.equal(getPod(c, 'web-0')?.metadata?.deletionTimestamp, undefined);
  });

  it('is a 429 with the DisruptionBudget cause when no disruption is allowed', async () => {
    const c = await cluster();
    await makePod(c, 'web-0');
    await makePdb(c, 'pdb', { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 });
    await assert.rejects(evict(c, 'web-0'), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.deepEqual(e.toStatus(), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: TOO_MANY,
        reason: 'TooManyRequests',
        details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget pdb needs 2 healthy pods and has 2 currently' }] },
        code: 429,
      });
      return true;
    });
    const pod = getPod(c, 'web-0')!;
    assert.equal(pod.metadata?.deletionTimestamp, undefined);
    assert.equal(disruptionTarget(pod), undefined);
  });

  it('is a 429 to retry in 10 s while the budget status is behind its generation', async () => {
    const c = await cluster();
    await makePod(c, 'web-0');
    await makePdb(c, 'pdb', { observedGeneration: 0 });
    await assert.rejects(evict(c, 'web-0'), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 429);
      assert.equal(e.message, TOO_MANY);
      assert.deepEqual(e.details, { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget pdb is still being processed by the server.' }], retryAfterSeconds: 10 });
      return true;
    });
  });

  it('is a 403 for a negative budget or too many unconfirmed evictions', async () => {
    const c = await cluster();
    await makePod(c, 'web-0');
    await makePdb(c, 'pdb', { disruptionsAllowed: -1 });
    await rejectsWith(evict(c, 'web-0'), 403, 'Forbidden', 'poddisruptionbudget.policy "pdb" is forbidden: pdb disruptions allowed is negative');
    await c.client.podDisruptionBudgets.delete('default', 'pdb');
    const disruptedPods = Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`p-${i}`, NOW]));
    await makePdb(c, 'big', { disruptionsAllowed: 3, disruptedPods });
    await rejectsWith(evict(c, 'web-0'), 403, 'Forbidden', 'poddisruptionbudget.policy "big" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  });

  it('spends one disruption: disruptedPods records the pod and the last one sets InsufficientPods', async () => {
    const c = await cluster();
    await makePod(c, 'web-0');
    await makePod(c, 'web-1');
    await makePdb(c, 'pdb', { disruptionsAllowed: 2, currentHealthy: 4 });
    await evict(c, 'web-0');
    let status = getPdb(c, 'pdb').status!;
    assert.equal(status.disruptionsAllowed, 1);
    assert.deepEqual(status.disruptedPods, { 'web-0': NOW });
    assert.equal(status.conditions, undefined);
    await evict(c, 'web-1');
    status = getPdb(c, 'pdb').status!;
    assert.equal(status.disruptionsAllowed, 0);
    assert.deepEqual(status.disruptedPods, { 'web-0': NOW, 'web-1': NOW });
    assert.deepEqual(status.conditions, [{ type: 'DisruptionAllowed', status: 'False', observedGeneration: 1, lastTransitionTime: NOW, reason: 'InsufficientPods', message: '' }]);
    assert.ok(disruptionTarget(getPod(c, 'web-1')));
    assert.ok(getPod(c, 'web-1')?.metadata?.deletionTimestamp);
  });

  it('lets an unready pod go without spending the budget while the budget is met (IfHealthyBudget)', async () => {
    const c = await cluster();
    await makePod(c, 'unready', { ready: false });
    await makePdb(c, 'pdb', { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 });
    await evict(c, 'unready');
    assert.ok(getPod(c, 'unready')?.metadata?.deletionTimestamp);
    assert.equal(getPdb(c, 'pdb').status?.disruptedPods, undefined);
  });

  it('keeps an unready pod while the budget is not met, unless the policy is AlwaysAllow', async () => {
    const c = await cluster();
    await makePod(c, 'unready', { ready: false });
    await makePdb(c, 'pdb', { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2 });
    await rejectsWith(evict(c, 'unready'), 429, 'TooManyRequests', TOO_MANY);
    const pdb = getPdb(c, 'pdb');
    await c.client.podDisruptionBudgets.update('default', { ...structuredClone(pdb), spec: { ...pdb.spec, unhealthyPodEvictionPolicy: 'AlwaysAllow' } });
    // The spec change is a new generation; the disruption controller would observe it.
    const changed = getPdb(c, 'pdb');
    await c.client.podDisruptionBudgets.updateStatus('default', { ...structuredClone(changed), status: { ...changed.status, observedGeneration: changed.metadata?.generation } });
    await evict(c, 'unready');
    assert.ok(getPod(c, 'unready')?.metadata?.deletionTimestamp);
    assert.equal(getPdb(c, 'pdb').status?.disruptedPods, undefined);
  });

  it('changes nothing in dry-run, from the query or from deleteOptions', async () => {
    const c = await cluster();
    await makePod(c, 'web-0');
    await makePdb(c, 'pdb', { disruptionsAllowed: 1 });
    const before = structuredClone(getPdb(c, 'pdb'));
    const out = await evictPod(c.registry, 'default', 'web-0', eviction('web-0'), { dryRun: true });
    assert.equal(out.status, 'Success');
    await evict(c, 'web-0', { dryRun: ['All'] });
    const pod = getPod(c, 'web-0')!;
    assert.equal(pod.metadata?.deletionTimestamp, undefined);
    assert.equal(disruptionTarget(pod), undefined);
    assert.deepEqual(getPdb(c, 'pdb'), before);
    await rejectsWith(
      evictPod(c.registry, 'default', 'web-0', eviction('web-0', { dryRun: ['All', 'All'] }), { dryRun: true }),
      500,
      'InternalError',
      'Internal error occurred: Non-matching dry-run options in request and content: [All] and [All All]',
    );
  });

  it('checks uid and resourceVersion preconditions before marking the pod', async () => {
    const c = await cluster();
    const pod = await makePod(c, 'web-0');
    await rejectsWith(
      evict(c, 'web-0', { preconditions: { uid: 'other' } }),
      409,
      'Conflict',
      `Operation cannot be fulfilled on Pod "web-0": the UID in the precondition (other) does not match the UID in record (${pod.metadata?.uid}). The object might have been deleted and then recreated`,
    );
    await rejectsWith(
      evict(c, 'web-0', { preconditions: { resourceVersion: '1' } }),
      409,
      'Conflict',
      `Operation cannot be fulfilled on Pod "web-0": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${pod.metadata?.resourceVersion}). The object might have been modified`,
    );
    assert.equal(disruptionTarget(getPod(c, 'web-0')), undefined);
    await evict(c, 'web-0', { preconditions: { uid: pod.metadata?.uid, resourceVersion: pod.metadata?.resourceVersion } });
    assert.ok(getPod(c, 'web-0')?.metadata?.deletionTimestamp, 'the precondition follows the condition write');
  });

  it('lets concurrent evictions spend exactly the budget', async () => {
    const c = await cluster();
    const names = Array.from({ length: 60 }, (_, i) => `web-${i}`);
    for (const n of names) await makePod(c, n);
    await makePdb(c, 'pdb', { disruptionsAllowed: 5, currentHealthy: 60, desiredHealthy: 55, expectedPods: 60 });
    const results = await Promise.allSettled(names.slice(0, 50).map((n) => evict(c, n)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 5);
    assert.equal(refused.length, 45);
    for (const r of refused) assert.ok(r.reason instanceof StatusError && r.reason.code === 429, String(r.reason));
    const status = getPdb(c, 'pdb').status!;
    assert.equal(status.disruptionsAllowed, 0);
    assert.equal(Object.keys(status.disruptedPods ?? {}).length, 5);
    const terminating = names.filter((n) => getPod(c, n)?.metadata?.deletionTimestamp);
    assert.deepEqual(terminating.sort(), Object.keys(status.disruptedPods!).sort());
  });

  it('is discoverable as kubectl drain looks for it: pods/eviction, kind Eviction in policy/v1', () => {
    const list = apiResourceList('', 'v1') as { resources: Array<Record<string, unknown>> };
    const sub = list.resources.find((r) => r.name === 'pods/eviction');
    assert.deepEqual(sub, { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
  });
});
