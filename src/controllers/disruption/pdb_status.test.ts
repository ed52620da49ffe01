import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec } from 'kubernetes-types/policy/v1.js';
import { rfc3339 } from '../../machinery/clock.js';
import { computePdbStatus, DELETION_TIMEOUT_MS, labelSelectorString, selectsPod, unmanagedPodsMessage, type ControllerFinder } from './pdb_status.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const SS_UID = 'ss-uid';

function pdb(spec: Partial<PodDisruptionBudgetSpec>, status?: PodDisruptionBudget['status'], generation = 1): PodDisruptionBudget {
  return { metadata: { name: 'web-pdb', namespace: 'default', generation }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, ...(status ? { status } : {}) };
}

function pod(name: string, opts: { ready?: boolean; owner?: string | null; deleting?: boolean; labels?: Record<string, string> } = {}): Pod {
  const { ready = true, owner = SS_UID, deleting = false, labels = { app: 'web' } } = opts;
  return {
    metadata: {
      name,
      namespace: 'default',
      labels,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: owner, controller: true }] } : {}),
      ...(deleting ? { deletionTimestamp: rfc3339(NOW - 1000) } : {}),
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

const web3 = [pod('web-0'), pod('web-1'), pod('web-2')];
const scaleOf = (n: number): ControllerFinder => (ref) => (ref.uid === SS_UID ? { uid: SS_UID, scale: n } : undefined);
const noLookups: ControllerFinder = () => assert.fail('minAvailable as an int must not look up controllers');

const counts = (spec: Partial<PodDisruptionBudgetSpec>, pods: Pod[], find: ControllerFinder = scaleOf(3)) => {
  const s = computePdbStatus(pdb(spec), pods, find, NOW).status;
  return { expected: s.expectedPods, desired: s.desiredHealthy, healthy: s.currentHealthy, allowed: s.disruptionsAllowed };
};

test('worked examples: a StatefulSet of 3 ready replicas', () => {
  assert.deepEqual(counts({ minAvailable: 2 }, web3, noLookups), { expected: 3, desired: 2, healthy: 3, allowed: 1 });
  assert.deepEqual(counts({ maxUnavailable: 1 }, web3), { expected: 3, desired: 2, healthy: 3, allowed: 1 });
  assert.deepEqual(counts({ maxUnavailable: '50%' }, web3), { expected: 3, desired: 1, healthy: 3, allowed: 2 });
  assert.deepEqual(counts({ minAvailable: '50%' }, web3), { expected: 3, desired: 2, healthy: 3, allowed: 1 });
});

test('percentages round up and use the controller scale, not the pod count', () => {
  // Scale 10, 3 pods: minAvailable 25% needs ceil(2.5) = 3; maxUnavailable 25% allows ceil(2.5) = 3 missing.
  assert.deepEqual(counts({ minAvailable: '25%' }, web3, scaleOf(10)), { expected: 10, desired: 3, healthy: 3, allowed: 0 });
  assert.deepEqual(counts({ maxUnavailable: '25%' }, web3, scaleOf(10)), { expected: 10, desired: 7, healthy: 3, allowed: 0 });
  // maxUnavailable larger than the scale floors desiredHealthy at 0.
  assert.deepEqual(counts({ maxUnavailable: 5 }, web3), { expected: 3, desired: 0, healthy: 3, allowed: 3 });
  assert.deepEqual(counts({ minAvailable: '100%' }, web3), { expected: 3, desired: 3, healthy: 3, allowed: 0 });
});

test('unready and terminating pods are not healthy; phase is not looked at', () => {
  const pods = [pod('web-0'), pod('web-1', { ready: false }), pod('web-2', { deleting: true })];
  assert.deepEqual(counts({ minAvailable: 1 }, pods, noLookups), { expected: 3, desired: 1, healthy: 1, allowed: 0 });
  const succeeded = { ...pod('web-0'), status: { phase: 'Succeeded', conditions: [{ type: 'Ready', status: 'True' }] } };
  assert.equal(counts({ minAvailable: 0 }, [succeeded], noLookups).healthy, 1);
});

test('no pods: expectedPods 0 forces disruptionsAllowed to 0 even when nothing is required', () => {
  const r = computePdbStatus(pdb({ maxUnavailable: 1 }), [], scaleOf(3), NOW);
  assert.equal(r.status.expectedPods, 0);
  assert.equal(r.status.disruptionsAllowed, 0);
  assert.equal(r.status.conditions?.[0]?.reason, 'InsufficientPods');
  assert.equal(computePdbStatus(pdb({ minAvailable: 0 }), [], noLookups, NOW).status.disruptionsAllowed, 0);
});

test('a bare pod with an integer minAvailable needs no controller', () => {
  const bare = [pod('solo', { owner: null })];
  const r = computePdbStatus(pdb({ minAvailable: 0 }), bare, noLookups, NOW);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.unmanagedPods, []);
  assert.equal(r.status.expectedPods, 1);
  assert.equal(r.status.disruptionsAllowed, 1);
  assert.deepEqual(
    r.status.conditions?.map(({ type, status, reason, message }) => ({ type, status, reason, message })),
    [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' }],
  );
});

test('unmanaged pods are skipped by the scale sum and reported', () => {
  const r = computePdbStatus(pdb({ maxUnavailable: 1 }), [...web3, pod('solo', { owner: null })], scaleOf(3), NOW);
  assert.deepEqual(r.unmanagedPods, ['solo']);
  assert.equal(r.status.expectedPods, 3);
  assert.equal(r.status.currentHealthy, 4);
  assert.equal(r.status.disruptionsAllowed, 2);
  assert.equal(
    unmanagedPodsMessage(pdb({})),
    'Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}) ' +
      'were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. ' +
      'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
  );
  assert.equal(
    labelSelectorString({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }),
    '&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:tier,Operator:In,Values:[a b],},},}',
  );
});

test('a pod whose controller cannot be found fails the sync safe: 0 allowed, SyncFailed, other fields kept', () => {
  const prior = { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: 1 };
  const r = computePdbStatus(pdb({ maxUnavailable: 1 }, prior), web3, () => undefined, NOW);
  assert.equal(r.error, 'found no controllers for pod "web-0"');
  assert.equal(r.upToDate, false);
  assert.deepEqual(r.status, {
    ...prior,
    disruptionsAllowed: 0,
    conditions: [{ type: 'DisruptionAllowed', status: 'False', observedGeneration: 1, lastTransitionTime: rfc3339(NOW), reason: 'SyncFailed', message: 'found no controllers for pod "web-0"' }],
  });
  // The same failure again needs no write.
  assert.equal(computePdbStatus(pdb({ maxUnavailable: 1 }, r.status), web3, () => undefined, NOW + 5000).upToDate, true);
  // minAvailable as an int never fails this way.
  assert.equal(computePdbStatus(pdb({ minAvailable: 2 }), web3, () => undefined, NOW).error, undefined);
});

test('disruptedPods: gone and deleting pods are dropped, expired entries reported, recheck at the earliest expiry', () => {
  const recent = NOW - 30_000;
  const older = NOW - 60_000;
  const expired = NOW - DELETION_TIMEOUT_MS - 1000;
  const disruptedPods = { 'web-0': rfc3339(recent), 'web-1': rfc3339(older), 'web-2': rfc3339(expired), 'web-3': rfc3339(recent), gone: rfc3339(recent) };
  const pods = [...web3, pod('web-3', { deleting: true })];
  const r = computePdbStatus(pdb({ maxUnavailable: 1 }, { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0, disruptedPods }), pods, scaleOf(4), NOW);
  assert.deepEqual(r.status.disruptedPods, { 'web-0': rfc3339(recent), 'web-1': rfc3339(older) });
  assert.deepEqual(r.notDeleted.map((p) => p.metadata?.name), ['web-2']);
  assert.equal(r.recheckAt, Date.parse(rfc3339(older)) + DELETION_TIMEOUT_MS);
  // web-0 and web-1 are about to go; web-2 (expired) counts again; web-3 is being deleted.
  assert.equal(r.status.currentHealthy, 1);
  assert.equal(r.status.disruptionsAllowed, 0);

  // Once they expire the pods count as healthy again and the map empties (omitted from the status).
  const later = computePdbStatus(pdb({ maxUnavailable: 1 }, r.status), web3, scaleOf(3), NOW + DELETION_TIMEOUT_MS);
  assert.equal(later.status.disruptedPods, undefined);
  assert.deepEqual(later.notDeleted.map((p) => p.metadata?.name), ['web-0', 'web-1']);
  assert.equal(later.recheckAt, undefined);
  assert.equal(later.status.currentHealthy, 3);
});

test('observedGeneration follows metadata.generation; an unchanged status is up to date', () => {
  const first = computePdbStatus(pdb({ minAvailable: 2 }, undefined, 1), web3, noLookups, NOW);
  assert.equal(first.upToDate, false);
  assert.equal(first.status.observedGeneration, 1);
  assert.equal(computePdbStatus(pdb({ minAvailable: 2 }, first.status, 1), web3, noLookups, NOW).upToDate, true);
  // A spec update bumps the generation: the status must be written again even if the counts are the same.
  const bumped = computePdbStatus(pdb({ minAvailable: 2 }, first.status, 2), web3, noLookups, NOW + 1000);
  assert.equal(bumped.upToDate, false);
  assert.equal(bumped.status.observedGeneration, 2);
  assert.equal(bumped.status.conditions?.[0]?.observedGeneration, 2);
});

test('DisruptionAllowed keeps its lastTransitionTime until its status changes', () => {
  const t0 = computePdbStatus(pdb({ minAvailable: 2 }), web3, noLookups, NOW).status;
  assert.equal(t0.conditions?.[0]?.lastTransitionTime, rfc3339(NOW));
  const twoReady = [pod('web-0'), pod('web-1'), pod('web-2', { ready: false })];
  const t1 = computePdbStatus(pdb({ minAvailable: 2 }, t0), twoReady, noLookups, NOW + 60_000).status;
  assert.deepEqual(t1.conditions?.map((c) => [c.status, c.reason, c.lastTransitionTime]), [['False', 'InsufficientPods', rfc3339(NOW + 60_000)]]);
  const oneReady = [pod('web-0'), pod('web-1', { ready: false }), pod('web-2', { ready: false })];
  const t2 = computePdbStatus(pdb({ minAvailable: 2 }, t1), oneReady, noLookups, NOW + 120_000).status;
  assert.deepEqual(t2.conditions?.map((c) => [c.status, c.reason, c.lastTransitionTime]), [['False', 'InsufficientPods', rfc3339(NOW + 60_000)]]);
});

test('selector: null selects nothing, empty selects every pod', () => {
  const p = pod('web-0', { labels: { other: 'x' } });
  assert.equal(selectsPod({ spec: {} }, p), false);
  assert.equal(selectsPod({ spec: { selector: {} } }, p), true);
  assert.equal(selectsPod(pdb({}), p), false);
  assert.equal(selectsPod(pdb({}), pod('web-1')), true);
});
