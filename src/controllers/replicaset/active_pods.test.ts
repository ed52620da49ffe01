import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deletionCost, filterActivePods, getPodsToDelete } from './active_pods.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace('.000', '');

interface Opts {
  node?: string;
  phase?: string;
  ready?: boolean;
  readySince?: number;
  created?: number;
  restarts?: number;
  cost?: string;
  uid?: string;
}

function pod(name: string, o: Opts = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: o.uid ?? name, creationTimestamp: ago(o.created ?? 1000), ...(o.cost ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}) },
    spec: { containers: [], nodeName: o.node ?? 'node-1' },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready === false ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: ago(o.readySince ?? 900) }],
      containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: true, restartCount: o.restarts ?? 0 }],
    },
  } as Pod;
}

const pick = (pods: Pod[], n: number, related: Pod[] = pods) => getPodsToDelete(pods, related, n, NOW).map((p) => p.metadata!.name);

test('unassigned, then Pending < Unknown < Running, then not ready go first', () => {
  const pods = [pod('running'), pod('unknown', { phase: 'Unknown' }), pod('pending', { phase: 'Pending', ready: false }), pod('unassigned', { node: '' }), pod('notready', { ready: false })];
  assert.deepEqual(pick(pods, 4), ['unassigned', 'pending', 'unknown', 'notready']);
});

test('a lower pod-deletion-cost goes first; invalid costs count as 0', () => {
  assert.deepEqual(pick([pod('a', { cost: '100' }), pod('b', { cost: '-5' }), pod('c', { cost: 'x' })], 2), ['b', 'c']);
  assert.equal(deletionCost(pod('d', { cost: '99999999999' })), 0);
});

test('pods doubled up on a node with related pods go first', () => {
  const pods = [pod('alone', { node: 'n1' }), pod('crowded', { node: 'n2' })];
  const related = [...pods, pod('sibling', { node: 'n2' })];
  assert.deepEqual(pick(pods, 1, related), ['crowded']);
});

test('ready for less time, then more restarts, then newer creation go first (log2 buckets)', () => {
  assert.deepEqual(pick([pod('old', { readySince: 4000 }), pod('recent', { readySince: 10 })], 1), ['recent']);
  // Different ready times in the same log2 bucket are ordered by uid, before restarts are looked at.
  assert.deepEqual(pick([pod('b', { readySince: 1000, restarts: 3, uid: 'u2' }), pod('a', { readySince: 1010, uid: 'u1' })], 1), ['a']);
  assert.deepEqual(pick([pod('a', { restarts: 0 }), pod('b', { restarts: 3 })], 1), ['b']);
  assert.deepEqual(pick([pod('older', { created: 5000, readySince: 900 }), pod('newer', { created: 100, readySince: 900 })], 1), ['newer']);
  // Creation times in one bucket: uid order.
  assert.deepEqual(pick([pod('x', { created: 1000, uid: 'u2' }), pod('y', { created: 1001, uid: 'u1' })], 1), ['y']);
});

test('all pods when the surplus is not smaller than the set', () => {
  assert.deepEqual(pick([pod('a'), pod('b')], 2), ['a', 'b']);
});

test('terminal and terminating pods are not active', () => {
  const terminating = { ...pod('t'), metadata: { ...pod('t').metadata, deletionTimestamp: ago(1) } };
  const active = filterActivePods([pod('a'), pod('s', { phase: 'Succeeded' }), pod('f', { phase: 'Failed' }), terminating]);
  assert.deepEqual(active.map((p) => p.metadata!.name), ['a']);
});
