import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../resources.js';
import { printerFor } from './index.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const meta = { name: 'x', creationTimestamp: '2024-12-31T23:00:00Z' };

test('every served kind has a printer whose cells line up with its columns', () => {
  for (const r of RESOURCES) {
    const p = printerFor(r.group, r.kind);
    const names = p.columns.filter((c) => c.format === 'name');
    assert.equal(names.length, 1, `${r.kind} has one name column`);
    assert.equal(names[0].type, 'string');
    for (const c of p.columns) assert.ok(c.description.length > 0, `${r.kind}.${c.name} has a description`);
    assert.equal(p.cells({ metadata: meta }, NOW).length, p.columns.length, `${r.kind} cell count`);
  }
});

test('roles and unknown kinds use the default NAME / CREATED AT table', () => {
  for (const [group, kind] of [['rbac.authorization.k8s.io', 'Role'], ['rbac.authorization.k8s.io', 'ClusterRole'], ['example.com', 'Widget']]) {
    const p = printerFor(group, kind);
    assert.deepEqual(p.columns.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
    assert.deepEqual(p.cells({ metadata: { name: 'admin', creationTimestamp: '2024-05-01T10:20:30.000Z' } }, NOW), ['admin', '2024-05-01T10:20:30Z']);
  }
  assert.deepEqual(printerFor('rbac.authorization.k8s.io', 'Role').cells({ metadata: { name: 'r' } }, NOW), ['r', '0001-01-01T00:00:00Z']);
});

test('role bindings: ROLE kind/name and wide subjects', () => {
  const rb = {
    metadata: meta,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [
      { kind: 'User', name: 'alice' },
      { kind: 'Group', name: 'devs' },
      { kind: 'ServiceAccount', namespace: 'default', name: 'builder' },
      { kind: 'User', name: 'bob' },
    ],
  };
  assert.deepEqual(printerFor('rbac.authorization.k8s.io', 'RoleBinding').cells(rb, NOW), ['x', 'ClusterRole/view', '60m', 'alice, bob', 'devs', 'default/builder']);
  const crb = printerFor('rbac.authorization.k8s.io', 'ClusterRoleBinding');
  assert.deepEqual(crb.columns.map((c) => c.name), ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts']);
});

test('simple core tables count data keys and secrets', () => {
  assert.deepEqual(printerFor('', 'ConfigMap').cells({ metadata: meta, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, NOW), ['x', 3, '60m']);
  assert.deepEqual(printerFor('', 'Secret').cells({ metadata: meta, type: 'Opaque', data: { a: 'MQ==' } }, NOW), ['x', 'Opaque', 1, '60m']);
  assert.deepEqual(printerFor('', 'ServiceAccount').cells({ metadata: meta, secrets: [{ name: 's' }] }, NOW), ['x', 1, '60m']);
  assert.deepEqual(printerFor('', 'Namespace').cells({ metadata: meta, status: { phase: 'Terminating' } }, NOW), ['x', 'Terminating', '60m']);
});

test('pdb and lease cells', () => {
  const pdb = printerFor('policy', 'PodDisruptionBudget');
  assert.deepEqual(pdb.cells({ metadata: meta, spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } }, NOW), ['x', '2', 'N/A', 1, '60m']);
  assert.deepEqual(pdb.cells({ metadata: meta, spec: { maxUnavailable: '25%' }, status: {} }, NOW), ['x', 'N/A', '25%', 0, '60m']);
  const lease = printerFor('coordination.k8s.io', 'Lease');
  assert.deepEqual(lease.cells({ metadata: meta, spec: { holderIdentity: 'node1' } }, NOW), ['x', 'node1', '60m']);
  assert.deepEqual(lease.cells({ metadata: meta, spec: {} }, NOW), ['x', '', '60m']);
});
