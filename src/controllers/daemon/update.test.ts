import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { daemonSet, node } from './daemon_test_harness.js';
import { rollingUpdateStep } from './update.js';

const NOW = Date.parse('2024-01-01T00:10:00Z');

function pod(name: string, hash: string, ready: boolean, extra: Partial<NonNullable<Pod['metadata']>> = {}): Pod {
  const conditions = ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] : [];
  return { metadata: { name, labels: { 'controller-revision-hash': hash }, creationTimestamp: '2024-01-01T00:00:00Z', ...extra }, spec: { containers: [] }, status: { phase: 'Running', conditions } };
}

const nodes = (n: number): Node[] => Array.from({ length: n }, (_, i) => node(`n${i + 1}`));
const rolling = (maxUnavailable: number | string, maxSurge: number | string = 0): DaemonSet =>
  daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable, maxSurge } } });

const step = (ds: DaemonSet, ns: Node[], pods: Record<string, Pod[]>) => rollingUpdateStep(ds, ns, new Map(Object.entries(pods)), 'new', NOW);

test('maxUnavailable 1: one available old pod is deleted per round', () => {
  const pods = { n1: [pod('a', 'old', true)], n2: [pod('b', 'old', true)], n3: [pod('c', 'old', true)] };
  assert.deepEqual(step(rolling(1), nodes(3), pods), { podsToDelete: ['a'], nodesToCreate: [] });
});

test('an unready new pod uses up the budget; unavailable old pods are replaced regardless', () => {
  const waiting = { n1: [pod('a2', 'new', false)], n2: [pod('b', 'old', true)], n3: [pod('c', 'old', true)] };
  assert.deepEqual(step(rolling(1), nodes(3), waiting), { podsToDelete: [], nodesToCreate: [] });
  const broken = { n1: [pod('a2', 'new', false)], n2: [pod('b', 'old', false)], n3: [pod('c', 'old', true)] };
  assert.deepEqual(step(rolling(1), nodes(3), broken), { podsToDelete: ['b'], nodesToCreate: [] });
});

test('a node still waiting for its pod counts as unavailable', () => {
  const pods = { n2: [pod('b', 'old', true)], n3: [pod('c', 'old', true)] };
  assert.deepEqual(step(rolling(1), nodes(3), pods), { podsToDelete: [], nodesToCreate: [] });
});

test('percentages round up: 50% of 3 nodes lets two go at once', () => {
  const pods = { n1: [pod('a', 'old', true)], n2: [pod('b', 'old', true)], n3: [pod('c', 'old', true)] };
  assert.deepEqual(step(rolling('50%'), nodes(3), pods).podsToDelete, ['a', 'b']);
});

test('both budgets 0 falls back to maxUnavailable 1', () => {
  const pods = { n1: [pod('a', 'old', true)], n2: [pod('b', 'old', true)] };
  assert.deepEqual(step(rolling(0, 0), nodes(2), pods).podsToDelete, ['a']);
});

test('maxSurge: new pods beside old ones up to the budget, the old one goes once its new one is available', () => {
  const start = { n1: [pod('a', 'old', true)], n2: [pod('b', 'old', true)] };
  assert.deepEqual(step(rolling(0, 1), nodes(2), start), { podsToDelete: [], nodesToCreate: ['n1'] });
  const surging = { n1: [pod('a', 'old', true), pod('a2', 'new', false)], n2: [pod('b', 'old', true)] };
  assert.deepEqual(step(rolling(0, 1), nodes(2), surging), { podsToDelete: [], nodesToCreate: [] });
  const done = { n1: [pod('a', 'old', true), pod('a2', 'new', true)], n2: [pod('b', 'old', true)] };
  assert.deepEqual(step(rolling(0, 1), nodes(2), done), { podsToDelete: ['a'], nodesToCreate: ['n2'] });
  const unavailableOld = { n1: [pod('a', 'old', false)], n2: [pod('b', 'old', true)] };
  assert.deepEqual(step(rolling(0, 1), nodes(2), unavailableOld), { podsToDelete: [], nodesToCreate: ['n1', 'n2'] });
});

test('pods being deleted do not count, and more than one old pod on a node is left to the manage loop', () => {
  const pods = { n1: [pod('a', 'old', true, { deletionTimestamp: '2024-01-01T00:09:00Z' })], n2: [pod('b', 'old', true), pod('b2', 'old', true)], n3: [pod('c', 'old', true)] };
  // n1 has no live pod and n2 is excess: two unavailable already, over the budget of 1.
  assert.deepEqual(step(rolling(1), nodes(3), pods), { podsToDelete: [], nodesToCreate: [] });
});
