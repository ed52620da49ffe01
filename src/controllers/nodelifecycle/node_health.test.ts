import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, NodeCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { computeZoneState, noScheduleTaintChanges, swapTaints, unknownConditions, updatePodCondition, zoneKey } from './node_health.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const cond = (type: string, status: string, reason = 'KubeletReady'): NodeCondition => ({ type, status, reason, message: 'm', lastHeartbeatTime: '2025-12-31T23:59:20Z', lastTransitionTime: '2025-12-31T23:00:00Z' });
const node = (conditions: NodeCondition[], spec: Node['spec'] = {}): Node => ({ metadata: { name: 'n', creationTimestamp: '2025-12-31T22:00:00Z' }, spec, status: { conditions } });

test('a silent node: every monitored condition Unknown, heartbeat kept, transition now; NetworkUnavailable untouched', () => {
  const net = cond('NetworkUnavailable', 'False', 'RouteCreated');
  const out = unknownConditions(node([cond('MemoryPressure', 'False'), cond('Ready', 'True'), net]), T0);
  const ready = out.find((c) => c.type === 'Ready')!;
  assert.deepEqual(ready, { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: '2025-12-31T23:59:20Z', lastTransitionTime: '2026-01-01T00:00:00Z' });
  assert.equal(out.find((c) => c.type === 'MemoryPressure')!.reason, 'NodeStatusUnknown');
  assert.deepEqual(out.find((c) => c.type === 'NetworkUnavailable'), net);
  // Never posted: added with NodeStatusNeverUpdated and the node's creation as heartbeat.
  const disk = out.find((c) => c.type === 'DiskPressure')!;
  assert.deepEqual([disk.status, disk.reason, disk.message, disk.lastHeartbeatTime], ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.', '2025-12-31T22:00:00Z']);
  assert.ok(out.find((c) => c.type === 'PIDPressure'));
});

test('an already Unknown condition keeps its transition time', () => {
  const already = { ...cond('Ready', 'Unknown'), reason: 'NodeStatusUnknown' };
  assert.equal(unknownConditions(node([already]), T0).find((c) => c.type === 'Ready')!.lastTransitionTime, already.lastTransitionTime);
});

test('NoSchedule taints follow the conditions and spec.unschedulable', () => {
  assert.deepEqual(noScheduleTaintChanges(node([cond('Ready', 'Unknown')])).add, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
  assert.deepEqual(noScheduleTaintChanges(node([cond('Ready', 'False'), cond('DiskPressure', 'True')], { unschedulable: true })).add, [
    { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
  ]);
  // Healthy again: the controller's taints go, a user's taint and NoExecute taints stay.
  const taints = [
    { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
  ];
  assert.deepEqual(noScheduleTaintChanges(node([cond('Ready', 'True')], { taints })), { add: [], remove: [taints[0]] });
});

test('swapTaints stamps timeAdded on what it adds and reports no change as undefined', () => {
  const t = [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2025-12-31T23:00:00Z' }];
  assert.deepEqual(swapTaints(t, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], [t[0]], T0), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' }]);
  assert.equal(swapTaints(t, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }], [], T0), undefined);
});

test('zone states as ComputeZoneState', () => {
  const r = (s: string) => cond('Ready', s);
  assert.equal(computeZoneState([r('Unknown')], 0.55), 'FullDisruption');
  assert.equal(computeZoneState([r('True'), r('Unknown')], 0.55), 'Normal');
  // More than two unready nodes and at least 55 %.
  assert.equal(computeZoneState([r('True'), r('True'), r('Unknown'), r('False'), undefined], 0.55), 'PartialDisruption');
  assert.equal(computeZoneState([r('True'), r('True'), r('True'), r('Unknown'), r('False'), undefined], 0.55), 'Normal');
  assert.equal(zoneKey(node([])), '');
  assert.equal(zoneKey({ metadata: { labels: { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'z' } } }), 'r:\u0000:z');
});

test('updatePodCondition moves lastTransitionTime only with the status', () => {
  const status: PodStatus = { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-12-31T23:00:00Z' }] };
  assert.equal(updatePodCondition(status, { type: 'Ready', status: 'False' }, T0), true);
  assert.equal(status.conditions![0].lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(updatePodCondition(status, { type: 'Ready', status: 'False' }, T0 + 5000), false);
  assert.equal(updatePodCondition(status, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager' }, T0), true);
  assert.equal(status.conditions!.length, 2);
});
