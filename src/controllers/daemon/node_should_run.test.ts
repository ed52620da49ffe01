import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Taint } from 'kubernetes-types/core/v1.js';
import { daemonSet, node } from './daemon_test_harness.js';
import { nodeShouldRunDaemonPod } from './node_should_run.js';

const tainted = (...taints: Taint[]) => node('n1', {}, { taints });

test('untolerated NoSchedule: no new pod, an existing one may stay; NoExecute: neither', () => {
  const ds = daemonSet();
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1'), ds), { shouldRun: true, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(tainted({ key: 'dedicated', effect: 'NoSchedule' }), ds), { shouldRun: false, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(tainted({ key: 'dedicated', effect: 'NoExecute' }), ds), { shouldRun: false, shouldContinueRunning: false });
  assert.deepEqual(nodeShouldRunDaemonPod(tainted({ key: 'soft', effect: 'PreferNoSchedule' }), ds), { shouldRun: true, shouldContinueRunning: true });
});

test('the daemon tolerations cover cordoned, not-ready, unreachable and pressured nodes', () => {
  const ds = daemonSet();
  for (const t of [
    { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
  ]) {
    assert.equal(nodeShouldRunDaemonPod(tainted(t), ds).shouldRun, true, t.key);
  }
  assert.equal(nodeShouldRunDaemonPod(node('n1', {}, { unschedulable: true }), ds).shouldRun, true);
  // not-ready:NoSchedule is not among them (the scheduler's inferred taint is not consulted either).
  assert.equal(nodeShouldRunDaemonPod(tainted({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }), ds).shouldRun, false);
  const net = tainted({ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' });
  assert.equal(nodeShouldRunDaemonPod(net, ds).shouldRun, false);
  const hostNet = daemonSet();
  hostNet.spec!.template.spec!.hostNetwork = true;
  assert.equal(nodeShouldRunDaemonPod(net, hostNet).shouldRun, true);
});

test('nodeSelector, required node affinity (labels and metadata.name fields) and template nodeName', () => {
  const ds = daemonSet();
  ds.spec!.template.spec!.nodeSelector = { disk: 'ssd' };
  assert.equal(nodeShouldRunDaemonPod(node('n1', { disk: 'ssd' }), ds).shouldRun, true);
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1', { disk: 'hdd' }), ds), { shouldRun: false, shouldContinueRunning: false });
  const aff = daemonSet();
  aff.spec!.template.spec!.affinity = {
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }] }] } },
  };
  assert.equal(nodeShouldRunDaemonPod(node('n1'), aff).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('n2'), aff).shouldRun, false);
  const pinned = daemonSet();
  pinned.spec!.template.spec!.nodeName = 'n2';
  assert.equal(nodeShouldRunDaemonPod(node('n1'), pinned).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('n2'), pinned).shouldRun, true);
});
