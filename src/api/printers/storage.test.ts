import { test } from 'node:test';
import assert from 'node:assert/strict';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

// Cases mirror upstream TestPrintPersistentVolumeClaim: capacity and access modes only once bound.
test('pvc capacity and access modes only when bound to a volume', () => {
  const pending = {
    metadata: { name: 'data-web-0' },
    spec: { resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' },
    status: { phase: 'Pending' },
  };
  assert.deepEqual(persistentVolumeClaimPrinter.cells(pending, NOW), ['data-web-0', 'Pending', '', '', '', 'standard', '<unset>', '<unknown>', '<unset>']);
  const bound = {
    metadata: { name: 'data-web-0' },
    spec: { volumeName: 'pvc-123', storageClassName: 'standard', volumeMode: 'Filesystem', resources: { requests: { storage: '1Gi' } } },
    status: { phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOncePod', 'ReadWriteOnce', 'ReadWriteOnce'] },
  };
  assert.deepEqual(persistentVolumeClaimPrinter.cells(bound, NOW), ['data-web-0', 'Bound', 'pvc-123', '2Gi', 'RWO,RWOP', 'standard', '<unset>', '<unknown>', 'Filesystem']);
  const deleting = { ...bound, metadata: { ...bound.metadata, deletionTimestamp: '2024-12-31T23:59:00Z' } };
  assert.equal(persistentVolumeClaimPrinter.cells(deleting, NOW)[1], 'Terminating');
  const annotated = { ...pending, metadata: { name: 'old', annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' } } };
  assert.equal(persistentVolumeClaimPrinter.cells(annotated, NOW)[5], 'legacy');
});

test('pv cells: capacity, modes, reclaim policy, claim, class, reason, volume mode', () => {
  const pv = {
    metadata: { name: 'pvc-123' },
    spec: {
      capacity: { storage: '10Gi' },
      accessModes: ['ReadWriteMany', 'ReadOnlyMany', 'ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      claimRef: { namespace: 'default', name: 'data-web-0' },
      storageClassName: 'standard',
    },
    status: { phase: 'Bound' },
  };
  assert.deepEqual(persistentVolumePrinter.cells(pv, NOW), ['pvc-123', '10Gi', 'RWO,ROX,RWX', 'Delete', 'Bound', 'default/data-web-0', 'standard', '<unset>', '', '<unknown>', '<unset>']);
  assert.deepEqual(persistentVolumePrinter.columns.map((c) => c.name), [
    'Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode',
  ]);
});

test('storage class: (default) suffix, defaulted policy and binding mode, boolean expansion cell', () => {
  const sc = { metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'k8ts.io/hostpath' };
  assert.deepEqual(storageClassPrinter.cells(sc, NOW), ['standard (default)', 'k8ts.io/hostpath', 'Delete', 'Immediate', false, '<unknown>']);
  const beta = { metadata: { name: 'fast', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } }, provisioner: 'p', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true };
  assert.deepEqual(storageClassPrinter.cells(beta, NOW).slice(0, 5), ['fast (default)', 'p', 'Retain', 'WaitForFirstConsumer', true]);
  const notDefault = { metadata: { name: 'slow', annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } }, provisioner: 'p' };
  assert.equal(storageClassPrinter.cells(notDefault, NOW)[0], 'slow');
});
