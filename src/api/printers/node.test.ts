import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodePrinter, nodeRoles, nodeStatus } from './node.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

// Cases mirror upstream TestPrintNodeStatus / TestPrintNodeRole.
test('node status from the Ready condition, with SchedulingDisabled when unschedulable', () => {
  const ready = [{ type: 'Ready', status: 'True' }];
  assert.equal(nodeStatus({ status: { conditions: ready } }), 'Ready');
  assert.equal(nodeStatus({ spec: { unschedulable: true }, status: { conditions: ready } }), 'Ready,SchedulingDisabled');
  assert.equal(nodeStatus({ status: { conditions: [{ type: 'Ready', status: 'False' }] } }), 'NotReady');
  assert.equal(nodeStatus({ status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }), 'NotReady');
  assert.equal(nodeStatus({ spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'False' }] } }), 'NotReady,SchedulingDisabled');
  assert.equal(nodeStatus({ status: { conditions: [{ type: 'MemoryPressure', status: 'False' }] } }), 'Unknown');
  assert.equal(nodeStatus({ spec: { unschedulable: true }, status: {} }), 'Unknown,SchedulingDisabled');
});

test('node roles from node-role.kubernetes.io/<role> and kubernetes.io/role labels, sorted', () => {
  assert.equal(nodeRoles({ metadata: { labels: {} } }), '<none>');
  assert.equal(nodeRoles({ metadata: { labels: { 'node-role.kubernetes.io/foo': '', 'node-role.kubernetes.io/bar': '' } } }), 'bar,foo');
  assert.equal(nodeRoles({ metadata: { labels: { 'kubernetes.io/role': 'node', 'node-role.kubernetes.io/': 'x' } } }), 'node');
  assert.equal(nodeRoles({ metadata: { labels: { 'kubernetes.io/role': '' } } }), '<none>');
});

test('node cells include version and wide info with <none>/<unknown> defaults', () => {
  const node = {
    metadata: { name: 'node1', creationTimestamp: '2024-12-31T21:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '' } },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'k8ts://0.1.0' },
      addresses: [{ type: 'Hostname', address: 'node1' }, { type: 'InternalIP', address: '10.0.0.5' }],
    },
  };
  assert.deepEqual(nodePrinter.cells(node, NOW), [
    'node1', 'Ready,SchedulingDisabled', 'control-plane', '3h', 'v1.32.0', '10.0.0.5', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'k8ts://0.1.0',
  ]);
  assert.deepEqual(nodePrinter.cells({ metadata: { name: 'n' } }, NOW).slice(1), ['Unknown', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});
