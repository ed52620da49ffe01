import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeSpec } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { findMatchingVolume, volumeMismatch } from './matching.js';
import { hostnameNodeAffinity, nodeSelectorMatches } from './nodeaffinity.js';

function pvc(overrides: { metadata?: ObjectMeta; spec?: PersistentVolumeClaimSpec } = {}): PersistentVolumeClaim {
  return {
    metadata: { name: 'data', namespace: 'default', uid: 'claim-uid', ...(overrides.metadata ?? {}) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'manual', volumeMode: 'Filesystem', ...(overrides.spec ?? {}) },
  };
}

function pv(name: string, storage: string, overrides: { labels?: Record<string, string>; spec?: PersistentVolumeSpec; phase?: string } = {}): PersistentVolume {
  return {
    metadata: { name, labels: overrides.labels },
    spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', volumeMode: 'Filesystem', ...(overrides.spec ?? {}) },
    status: { phase: overrides.phase ?? 'Available' },
  };
}

const name = (v: PersistentVolume | undefined) => v?.metadata?.name;

describe('findMatchingVolume', () => {
  it('picks the smallest volume that is large enough', () => {
    const vols = [pv('ten', '10Gi'), pv('half', '500Mi'), pv('one', '1Gi'), pv('five', '5Gi')];
    assert.equal(name(findMatchingVolume(pvc(), vols, { delayBinding: false })), 'one');
    assert.equal(name(findMatchingVolume(pvc({ spec: { resources: { requests: { storage: '1025Mi' } } } }), vols, { delayBinding: false })), 'five');
  });

  it('requires every requested access mode and prefers the volume with the fewest modes', () => {
    const rwx = pv('rwx', '1Gi', { spec: { accessModes: ['ReadWriteMany'] } });
    assert.equal(findMatchingVolume(pvc(), [rwx], { delayBinding: false }), undefined);
    const many = pv('many', '5Gi', { spec: { accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] } });
    const single = pv('single', '10Gi');
    assert.equal(name(findMatchingVolume(pvc(), [many, single], { delayBinding: false })), 'single');
  });

  it('skips volumes of another class, bound volumes, unavailable ones, other volume modes and deleted ones', () => {
    const vols = [
      pv('other-class', '1Gi', { spec: { storageClassName: 'fast' } }),
      pv('taken', '1Gi', { spec: { claimRef: { namespace: 'default', name: 'other', uid: 'x' } }, phase: 'Bound' }),
      pv('pending', '1Gi', { phase: 'Pending' }),
      pv('block', '1Gi', { spec: { volumeMode: 'Block' } }),
      { ...pv('deleting', '1Gi'), metadata: { name: 'deleting', deletionTimestamp: '2026-01-01T00:00:00Z' } },
    ];
    assert.equal(findMatchingVolume(pvc(), vols, { delayBinding: false }), undefined);
  });

  it('honours the claim selector', () => {
    const vols = [pv('fast', '1Gi', { labels: { tier: 'fast' } }), pv('slow', '2Gi', { labels: { tier: 'slow' } })];
    const claim = pvc({ spec: { selector: { matchLabels: { tier: 'slow' } } } });
    assert.equal(name(findMatchingVolume(claim, vols, { delayBinding: false })), 'slow');
  });

  it('returns the volume pre-bound to the claim before any smaller one', () => {
    const pre = pv('reserved', '20Gi', { spec: { claimRef: { namespace: 'default', name: 'data' } } });
    assert.equal(name(findMatchingVolume(pvc(), [pv('small', '1Gi'), pre], { delayBinding: false })), 'reserved');
    const forOther = pv('reserved-other', '1Gi', { spec: { claimRef: { namespace: 'default', name: 'data', uid: 'someone-else' } } });
    assert.equal(findMatchingVolume(pvc(), [forOther], { delayBinding: false }), undefined);
  });

  it('binds only pre-bound volumes while binding is delayed, and checks node affinity once a node is chosen', () => {
    const local = pv('local-m02', '1Gi', { spec: { nodeAffinity: hostnameNodeAffinity('k8ts-m02') } });
    assert.equal(findMatchingVolume(pvc(), [local], { delayBinding: true }), undefined);
    const k8ts = { name: 'k8ts', labels: { 'kubernetes.io/hostname': 'k8ts' } };
    const m02 = { name: 'k8ts-m02', labels: { 'kubernetes.io/hostname': 'k8ts-m02' } };
    assert.equal(findMatchingVolume(pvc(), [local], { delayBinding: true, node: k8ts }), undefined);
    assert.equal(name(findMatchingVolume(pvc(), [local], { delayBinding: true, node: m02 })), 'local-m02');
  });
});

describe('volumeMismatch', () => {
  it('gives the reason a requested volume cannot serve the claim', () => {
    assert.equal(volumeMismatch(pv('small', '500Mi'), pvc()), 'requested PV is too small');
    assert.equal(volumeMismatch(pv('fast', '1Gi', { spec: { storageClassName: 'fast' } }), pvc()), 'storageClassName does not match');
    assert.equal(volumeMismatch(pv('rox', '1Gi', { spec: { accessModes: ['ReadOnlyMany'] } }), pvc()), 'incompatible accessMode');
    assert.equal(volumeMismatch(pv('ok', '1Gi'), pvc()), undefined);
  });
});

describe('nodeSelectorMatches', () => {
  const node = { name: 'k8ts-m02', labels: { 'kubernetes.io/hostname': 'k8ts-m02', disks: '3' } };
  it('ORs terms and ANDs the requirements inside a term', () => {
    const sel = {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['k8ts'] }] },
        { matchExpressions: [{ key: 'disks', operator: 'Gt', values: ['2'] }, { key: 'ssd', operator: 'DoesNotExist' }] },
      ],
    };
    assert.equal(nodeSelectorMatches(sel, node), true);
    sel.nodeSelectorTerms[1].matchExpressions[0].values = ['3'];
    assert.equal(nodeSelectorMatches(sel, node), false);
  });

  it('matches metadata.name fields and never an empty term', () => {
    assert.equal(nodeSelectorMatches({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['k8ts-m02'] }] }] }, node), true);
    assert.equal(nodeSelectorMatches({ nodeSelectorTerms: [{}] }, node), false);
    assert.equal(nodeSelectorMatches(undefined, node), true);
  });
});
