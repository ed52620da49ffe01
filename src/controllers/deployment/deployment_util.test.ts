import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import {
  computeHash,
  equalIgnoreHash,
  findActiveOrLatest,
  getProportion,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  resolveFenceposts,
  setNewReplicaSetAnnotations,
} from './deployment_util.js';
import { webDeployment } from './harness.js';

const rolling = (replicas: number, surge: number | string, unavailable: number | string): Deployment =>
  webDeployment({ replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } });

const rs = (name: string, replicas: number, annotations: Record<string, string> = {}, created = '2026-01-01T00:00:00Z'): ReplicaSet => ({
  metadata: { name, uid: name, annotations, creationTimestamp: created },
  spec: { replicas, selector: {} },
});

test('computeHash: safe-encoded FNV-32a of up to 10 characters, stable, and changed by the collision count', () => {
  const t = webDeployment().spec!.template;
  const h = computeHash(t);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(computeHash(structuredClone(t)), h);
  assert.notEqual(computeHash(t, 1), h);
  assert.notEqual(computeHash(t, 1), computeHash(t, 2));
  const other = structuredClone(t);
  other.spec!.containers[0].image = 'nginx:1.16.1';
  assert.notEqual(computeHash(other), h);
});

test('equalIgnoreHash ignores only the pod-template-hash label', () => {
  const t = webDeployment().spec!.template;
  const labelled = structuredClone(t);
  labelled.metadata!.labels!['pod-template-hash'] = 'abc';
  assert.ok(equalIgnoreHash(t, labelled));
  labelled.metadata!.labels!.tier = 'web';
  assert.ok(!equalIgnoreHash(t, labelled));
});

test('resolveFenceposts: surge rounds up, unavailable down; both zero resolves to one unavailable', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), [3, 2]);
  assert.deepEqual(resolveFenceposts('25%', '25%', 1), [1, 0]);
  assert.deepEqual(resolveFenceposts(0, '10%', 5), [0, 1]);
  assert.deepEqual(resolveFenceposts(2, 0, 5), [2, 0]);
  assert.equal(maxSurge(rolling(10, '25%', '25%')), 3);
  assert.equal(maxUnavailable(rolling(3, 0, 5)), 3, 'capped at the replicas');
  assert.equal(maxUnavailable(rolling(0, 0, 5)), 0);
  assert.equal(maxSurge(webDeployment({ strategy: { type: 'Recreate' } })), 0);
});

test('newRSNewReplicas: the new replica set grows within maxSurge and never beyond the replicas', () => {
  const d = rolling(10, '25%', '25%');
  const newRS = rs('new', 0);
  assert.equal(newRSNewReplicas(d, [rs('old', 10), newRS], newRS), 3);
  const grown = rs('new', 3);
  assert.equal(newRSNewReplicas(d, [rs('old', 10), grown], grown), 3, 'at 13 pods nothing more');
  assert.equal(newRSNewReplicas(d, [rs('old', 8), grown], grown), 5);
  const almost = rs('new', 9);
  assert.equal(newRSNewReplicas(d, [rs('old', 0), almost], almost), 10);
  assert.equal(newRSNewReplicas(webDeployment({ replicas: 4, strategy: { type: 'Recreate' } }), [], rs('new', 0)), 4);
});

test('getProportion: shares of a resize from the max-replicas annotation, capped by what is left', () => {
  // 10 -> 20 replicas (25% surge) mid-rollout at old 8 / new 5, both annotated max-replicas 13.
  const d = rolling(20, '25%', '25%');
  const old = rs('old', 8, { 'deployment.kubernetes.io/max-replicas': '13' });
  const cur = rs('new', 5, { 'deployment.kubernetes.io/max-replicas': '13' });
  assert.equal(getProportion(old, d, 12, 0), 7); // round(8 * 25 / 13) - 8
  assert.equal(getProportion(cur, d, 12, 7), 5); // round(5 * 25 / 13) - 5, exactly what is left
  assert.equal(getProportion(cur, d, 12, 12), 0);
  // Scaling down to zero takes each replica set's whole size.
  assert.equal(getProportion(old, rolling(0, '25%', '25%'), -13, 0), -8);
  assert.equal(getProportion(rs('empty', 0), d, 12, 0), 0);
});

test('findActiveOrLatest: the only active replica set, the newest when none is, none when several are', () => {
  const older = rs('a', 0, {}, '2026-01-01T00:00:00Z');
  const newer = rs('b', 0, {}, '2026-01-02T00:00:00Z');
  assert.equal(findActiveOrLatest(undefined, [older, newer])?.metadata?.name, 'b');
  assert.equal(findActiveOrLatest(rs('n', 0), [older])?.metadata?.name, 'n');
  assert.equal(findActiveOrLatest(rs('n', 0), [rs('c', 2)])?.metadata?.name, 'c');
  assert.equal(findActiveOrLatest(rs('n', 1), [rs('c', 2)]), undefined);
});

test('setNewReplicaSetAnnotations: a reused replica set gets the new revision and keeps its old one in revision-history', () => {
  const d = rolling(3, '25%', '25%');
  d.metadata!.annotations = { 'kubernetes.io/change-cause': 'undo', 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
  const reused = rs('web-1', 0, { 'deployment.kubernetes.io/revision': '1' });
  assert.ok(setNewReplicaSetAnnotations(d, reused, 3, true));
  assert.deepEqual(reused.metadata!.annotations, {
    'deployment.kubernetes.io/revision': '3',
    'deployment.kubernetes.io/revision-history': '1',
    'kubernetes.io/change-cause': 'undo',
  });
  assert.ok(!setNewReplicaSetAnnotations(d, reused, 3, true), 'nothing changes the second time');
  assert.ok(setNewReplicaSetAnnotations(d, reused, 5, true));
  assert.equal(reused.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1,3');
  const fresh = rs('web-2', 3, {});
  setNewReplicaSetAnnotations(d, fresh, 1, false);
  assert.equal(fresh.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(fresh.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '4');
});
