import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolumeClaimSpec } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { applyDefaults } from '../defaults/index.js';
import { messages } from '../../testing/validation.js';

const claim = (spec: Loose<PersistentVolumeClaimSpec>) => ({ metadata: { name: 'www-web-0', namespace: 'default' }, spec });

test('a claim needs access modes and a storage request', () => {
  assert.deepEqual(messages('', 'PersistentVolumeClaim', claim({ accessModes: ['ReadWriteOnce'] })), ['spec.resources[storage]: Required value']);
  assert.deepEqual(messages('', 'PersistentVolumeClaim', claim({ resources: { requests: { storage: '0' } } })), [
    'spec.accessModes: Required value: at least 1 access mode is required',
    'spec.resources[storage]: Invalid value: "0": must be greater than zero',
  ]);
  assert.deepEqual(messages('', 'PersistentVolumeClaim', claim({ accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'], resources: { requests: { storage: '1Gi' } } })), [
    'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
  ]);
});

test('a claim spec is immutable except for growing a bound claim and setting volumeName once', () => {
  const old = claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  applyDefaults('', 'PersistentVolumeClaim', old);
  const bound = structuredClone(old);
  bound.spec.volumeName = 'pvc-123';
  assert.deepEqual(messages('', 'PersistentVolumeClaim', bound, old), []);

  const boundOld = { ...structuredClone(bound), status: { phase: 'Bound' } };
  const grown = structuredClone(boundOld);
  grown.spec.resources!.requests!.storage = '2Gi';
  assert.deepEqual(messages('', 'PersistentVolumeClaim', grown, boundOld), []);

  const shrunk = structuredClone(boundOld);
  shrunk.spec.resources!.requests!.storage = '512Mi';
  assert.deepEqual(messages('', 'PersistentVolumeClaim', shrunk, boundOld), ['spec.resources.requests.storage: Forbidden: field can not be less than previous value']);

  const retargeted = structuredClone(bound);
  retargeted.spec.accessModes = ['ReadWriteMany'];
  const [err] = messages('', 'PersistentVolumeClaim', retargeted, bound);
  assert.ok(err.startsWith('spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n'), err);
});

test('a PersistentVolume needs capacity, access modes and exactly one source', () => {
  const pv = { metadata: { name: 'pv1' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/data' }, nfs: { server: 'nfs', path: '/x' } } };
  assert.deepEqual(messages('', 'PersistentVolume', pv), ['spec.nfs: Forbidden: may not specify more than 1 volume type']);
  const empty = { metadata: { name: 'pv2' }, spec: {} };
  assert.deepEqual(messages('', 'PersistentVolume', empty), [
    'spec.accessModes: Required value',
    'spec.capacity: Required value',
    'spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"',
    'spec: Required value: must specify a volume type',
  ]);
  const local = { metadata: { name: 'pv3' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, local: { path: '/mnt/disk' } } };
  assert.deepEqual(messages('', 'PersistentVolume', local), ['spec.nodeAffinity: Required value: Local volume requires node affinity']);
});

test('StorageClass provisioner, binding mode and update rules', () => {
  assert.deepEqual(messages('storage.k8s.io', 'StorageClass', { metadata: { name: 'standard' }, volumeBindingMode: 'Later' }), [
    'provisioner: Required value',
    'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
  ]);
  const old = { metadata: { name: 'standard' }, provisioner: 'k8ts.io/hostpath' };
  applyDefaults('storage.k8s.io', 'StorageClass', old);
  const changed = { ...structuredClone(old), provisioner: 'k8ts.io/other' };
  assert.deepEqual(messages('storage.k8s.io', 'StorageClass', changed, old), ['provisioner: Forbidden: updates to provisioner are forbidden.']);
});
