import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, replicaSetPrinter, statefulSetPrinter } from './workloads.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const template = { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }] } };

test('statefulset READY is readyReplicas/spec.replicas', () => {
  const sts = { metadata: { name: 'web', creationTimestamp: '2024-12-31T23:55:00Z' }, spec: { replicas: 5, template }, status: { replicas: 5, readyReplicas: 2 } };
  assert.deepEqual(statefulSetPrinter.cells(sts, NOW), ['web', '2/5', '5m', 'web,sidecar', 'nginx:1.27,busybox']);
  assert.equal(statefulSetPrinter.cells({ metadata: { name: 'db' }, spec: { replicas: 0 }, status: {} }, NOW)[1], '0/0');
  assert.equal(statefulSetPrinter.cells({ metadata: { name: 'db' }, spec: {}, status: {} }, NOW)[1], '0/1');
  assert.deepEqual(statefulSetPrinter.columns.map((c) => c.name), ['Name', 'Ready', 'Age', 'Containers', 'Images']);
});

test('deployment: READY string, UP-TO-DATE and AVAILABLE numbers, selector string', () => {
  const deploy = {
    metadata: { name: 'api' },
    spec: { replicas: 3, template, selector: { matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'edge'] }] } },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };
  assert.deepEqual(deploymentPrinter.cells(deploy, NOW), ['api', '2/3', 3, 2, '<unknown>', 'web,sidecar', 'nginx:1.27,busybox', 'app=api,tier in (edge,web)']);
});

test('replicaset and daemonset integer columns', () => {
  const rs = { metadata: { name: 'api-5d8f' }, spec: { replicas: 3, template, selector: { matchLabels: { app: 'api' } } }, status: { replicas: 3, readyReplicas: 1 } };
  assert.deepEqual(replicaSetPrinter.cells(rs, NOW), ['api-5d8f', 3, 3, 1, '<unknown>', 'web,sidecar', 'nginx:1.27,busybox', 'app=api']);
  const ds = {
    metadata: { name: 'agent' },
    spec: { template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } }, selector: {} },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
  };
  assert.deepEqual(daemonSetPrinter.cells(ds, NOW), ['agent', 3, 2, 1, 2, 1, 'kubernetes.io/os=linux', '<unknown>', 'web,sidecar', 'nginx:1.27,busybox', '<none>']);
});

test('controllerrevision CONTROLLER is lowercased kind.group/name', () => {
  const cr = {
    metadata: { name: 'web-7d9c', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', controller: true }] },
    revision: 2,
  };
  assert.deepEqual(controllerRevisionPrinter.cells(cr, NOW), ['web-7d9c', 'statefulset.apps/web', 2, '<unknown>']);
  const core = { metadata: { name: 'x', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', controller: true }] }, revision: 1 };
  assert.equal(controllerRevisionPrinter.cells(core, NOW)[1], 'pod/p');
  const orphan = { metadata: { name: 'y', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web' }] }, revision: 1 };
  assert.equal(controllerRevisionPrinter.cells(orphan, NOW)[1], '<none>');
});
