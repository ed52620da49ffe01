import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { daemonSet, node } from './daemon_test_harness.js';
import { getUnscheduledPodsWithoutNode, podsShouldBeOnNode } from './manage.js';

const NOW = Date.parse('2024-01-01T00:10:00Z');

function pod(name: string, created: string, opts: { phase?: string; nodeName?: string; hash?: string; ready?: boolean } = {}): Pod {
  const conditions = opts.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: created }] : [];
  return {
    metadata: { name, creationTimestamp: created, labels: { 'controller-revision-hash': opts.hash ?? 'h' } },
    spec: { containers: [], nodeName: opts.nodeName },
    status: { phase: opts.phase ?? 'Running', conditions },
  };
}

test('an eligible node without pods needs one; an ineligible node has its pods deleted', () => {
  const ds = daemonSet();
  assert.deepEqual(podsShouldBeOnNode(ds, node('n1'), undefined, 'h', NOW), { createOnNode: true, podsToDelete: [], failedPods: [] });
  const noExec = node('n1', {}, { taints: [{ key: 'k', effect: 'NoExecute' }] });
  assert.deepEqual(podsShouldBeOnNode(ds, noExec, [pod('a', '2024-01-01T00:00:00Z')], 'h', NOW).podsToDelete, ['a']);
  // NoSchedule alone: no new pod, but the running one stays.
  const noSched = node('n1', {}, { taints: [{ key: 'k', effect: 'NoSchedule' }] });
  assert.deepEqual(podsShouldBeOnNode(ds, noSched, [pod('a', '2024-01-01T00:00:00Z')], 'h', NOW), { createOnNode: false, podsToDelete: [], failedPods: [] });
  assert.deepEqual(podsShouldBeOnNode(ds, noSched, undefined, 'h', NOW).createOnNode, false);
});

test('duplicates: all but the oldest go; failed pods are reported, succeeded ones deleted', () => {
  const ds = daemonSet();
  const pods = [pod('young', '2024-01-01T00:05:00Z'), pod('old', '2024-01-01T00:00:00Z'), pod('mid', '2024-01-01T00:02:00Z'), pod('done', '2024-01-01T00:00:00Z', { phase: 'Succeeded' })];
  const d = podsShouldBeOnNode(ds, node('n1'), pods, 'h', NOW);
  assert.deepEqual(d.podsToDelete, ['done', 'mid', 'young']);
  const failed = podsShouldBeOnNode(ds, node('n1'), [pod('f', '2024-01-01T00:00:00Z', { phase: 'Failed' })], 'h', NOW);
  assert.deepEqual(failed.failedPods.map((p) => p.metadata!.name), ['f']);
  assert.equal(failed.createOnNode, false, 'the replacement comes once the failed pod is gone');
});

test('with surge: the oldest new pod stays; the old one too while it is ready and the new one is not', () => {
  const ds = daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
  const oldReady = pod('old', '2024-01-01T00:00:00Z', { hash: 'h0', ready: true });
  const newUnready = pod('new', '2024-01-01T00:01:00Z', { hash: 'h' });
  assert.deepEqual(podsShouldBeOnNode(ds, node('n1'), [oldReady, newUnready], 'h', NOW).podsToDelete, []);
  const newReady = pod('new', '2024-01-01T00:01:00Z', { hash: 'h', ready: true });
  assert.deepEqual(podsShouldBeOnNode(ds, node('n1'), [oldReady, newReady, pod('new2', '2024-01-01T00:02:00Z')], 'h', NOW).podsToDelete, ['new2', 'old']);
});

test('unscheduled pods aimed at nodes that no longer exist are deleted; bound ones are left to pod GC', () => {
  const pinned = (name: string, nodeName?: string) => ({ ...pod(name, '2024-01-01T00:00:00Z', { nodeName }) });
  const m = new Map([
    ['gone', [pinned('a'), pinned('b', 'gone')]],
    ['n1', [pinned('c')]],
  ]);
  assert.deepEqual(getUnscheduledPodsWithoutNode([node('n1')], m), ['a']);
});
