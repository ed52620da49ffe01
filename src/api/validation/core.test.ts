import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validate } from './index.js';
import { messages } from '../../testing/validation.js';

test('Namespace names are DNS labels and may not carry a namespace', () => {
  assert.deepEqual(messages('', 'Namespace', { metadata: { name: 'arcus' } }), []);
  assert.deepEqual(messages('', 'Namespace', { metadata: { name: 'my.ns', namespace: 'x' } }), [
    'metadata.name: Invalid value: "my.ns": must not contain dots',
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
});

test('ConfigMap and Secret keys', () => {
  assert.deepEqual(messages('', 'ConfigMap', { metadata: { name: 'zk', namespace: 'default' }, data: { 'zoo.cfg': 'x', 'bad key': 'y' } }), [
    `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  ]);
  assert.deepEqual(messages('', 'Secret', { metadata: { name: 'tls', namespace: 'default' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c' } }), [
    'data[tls.key]: Required value',
  ]);
  const old = { metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: { a: 'YQ==' }, immutable: true };
  assert.deepEqual(messages('', 'Secret', { ...old, data: { a: 'Yg==' } }, old), ['data: Forbidden: field is immutable when `immutable` is set']);
});

test('RBAC rules need verbs and bindings a known role kind', () => {
  assert.deepEqual(messages('rbac.authorization.k8s.io', 'Role', { metadata: { name: 'pod-reader', namespace: 'default' }, rules: [{ apiGroups: [''], resources: ['pods'] }] }), [
    'rules[0].verbs: Required value: verbs must contain at least one value',
  ]);
  assert.deepEqual(messages('rbac.authorization.k8s.io', 'ClusterRoleBinding', { metadata: { name: 'system:leader' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] }), [
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    'subjects[0].namespace: Required value',
  ]);
  const old = { metadata: { name: 'rb', namespace: 'default' }, roleRef: { kind: 'Role', name: 'a' } };
  assert.deepEqual(messages('rbac.authorization.k8s.io', 'RoleBinding', { ...structuredClone(old), roleRef: { kind: 'Role', name: 'b' } }, old), [
    'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef',
  ]);
});

test('PodDisruptionBudget minAvailable and maxUnavailable', () => {
  const pdb = (spec: Record<string, unknown>) => ({ metadata: { name: 'zk-pdb', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'zk' } }, ...spec } });
  assert.deepEqual(messages('policy', 'PodDisruptionBudget', pdb({ maxUnavailable: 1 })), []);
  assert.deepEqual(messages('policy', 'PodDisruptionBudget', pdb({ minAvailable: -1 })), ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(messages('policy', 'PodDisruptionBudget', pdb({ minAvailable: '150%' })), [
    'spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
  ]);
  const both = messages('policy', 'PodDisruptionBudget', pdb({ minAvailable: 2, maxUnavailable: 1 }));
  assert.match(both[0], /^spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/);
});

test('Events are checked loosely: names as path segments, namespaces against the involved object', () => {
  const event = { metadata: { name: 'web-0.17a', namespace: 'default' }, involvedObject: { kind: 'Pod', namespace: 'other', name: 'web-0' } };
  assert.deepEqual(messages('', 'Event', event), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  assert.deepEqual(messages('', 'Event', { metadata: { name: 'node-1.17a', namespace: 'default' }, involvedObject: { kind: 'Node', name: 'node-1' } }), []);
  assert.deepEqual(messages('', 'Event', { metadata: { name: 'a/b', namespace: 'default' }, involvedObject: { namespace: 'default' } }), [
    `metadata.name: Invalid value: "a/b": may not contain '/'`,
  ]);
});

test('Leases, Nodes and Ingresses', () => {
  assert.deepEqual(messages('coordination.k8s.io', 'Lease', { metadata: { name: 'leader', namespace: 'default' }, spec: { leaseDurationSeconds: 0 } }), [
    'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
  ]);
  assert.deepEqual(messages('', 'Node', { metadata: { name: 'node-1' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } }), [
    'metadata.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
  ]);
  const ingress = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { rules: [{ host: '10.0.0.1', http: { paths: [{ path: 'app', pathType: 'Prefix', backend: { service: { name: 'frontend' } } }] } }] },
  };
  assert.deepEqual(messages('networking.k8s.io', 'Ingress', ingress), [
    'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    'spec.rules[0].http.paths[0].path: Invalid value: "app": must be an absolute path',
    'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
  ]);
});

test('update rules for metadata', () => {
  const old = { metadata: { name: 'cm', namespace: 'default', uid: 'u1', generation: 3 } };
  assert.deepEqual(validate('', 'ConfigMap', { metadata: { name: 'cm', namespace: 'default', uid: 'u2', generation: 2 } }, old).map((e) => `${e.field}: ${e.message}`), [
    'metadata.generation: Invalid value: 2: must not be decremented',
    'metadata.uid: Invalid value: "u2": field is immutable',
  ]);
  const deleting = { metadata: { name: 'cm', namespace: 'default', deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['a.io/x'] } };
  assert.deepEqual(validate('', 'ConfigMap', { metadata: { ...deleting.metadata, finalizers: ['a.io/x', 'b.io/y'] } }, deleting).map((e) => `${e.field}: ${e.message}`), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
  ]);
});
