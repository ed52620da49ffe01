import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCluster } from '../../testing/fixture.js';
import { defaultStorageClassName } from '../../api/storage/classes.js';
import { ensureDefaultStorageClass } from './storageclass.js';

const cls = (name: string, created: string, isDefault = true, beta = false) => ({
  metadata: {
    name,
    creationTimestamp: created,
    annotations: { [beta ? 'storageclass.beta.kubernetes.io/is-default-class' : 'storageclass.kubernetes.io/is-default-class']: isDefault ? 'true' : 'false' },
  },
});

describe('defaultStorageClassName', () => {
  const classes = [cls('standard', '2026-01-01T00:00:00Z'), cls('fast', '2026-01-01T00:00:00Z', false)];

  it('gives a claim without a class the default class', () => {
    assert.equal(defaultStorageClassName({ metadata: {}, spec: {} }, classes), 'standard');
  });

  it('leaves a claim that asked for a class alone, even the empty class', () => {
    assert.equal(defaultStorageClassName({ metadata: {}, spec: { storageClassName: 'fast' } }, classes), undefined);
    assert.equal(defaultStorageClassName({ metadata: {}, spec: { storageClassName: '' } }, classes), undefined);
    const beta = { metadata: { annotations: { 'volume.beta.kubernetes.io/storage-class': 'fast' } }, spec: {} };
    assert.equal(defaultStorageClassName(beta, classes), undefined);
  });

  it('chooses the newest of several defaults, then the first name, and honours the beta annotation', () => {
    const several = [cls('b-old', '2026-01-01T00:00:00Z'), cls('z-new', '2026-01-02T00:00:00Z', true, true), cls('a-new', '2026-01-02T00:00:00Z')];
    assert.equal(defaultStorageClassName({ metadata: {}, spec: {} }, several), 'a-new');
  });

  it('does nothing without a default class', () => {
    assert.equal(defaultStorageClassName({ metadata: {}, spec: {} }, [cls('fast', '2026-01-01T00:00:00Z', false)]), undefined);
  });
});

describe('ensureDefaultStorageClass', () => {
  it('creates the minikube-style standard class once', async () => {
    const c = await testCluster();
    await ensureDefaultStorageClass(c.client);
    await ensureDefaultStorageClass(c.client);
    const sc = await c.client.storageClasses.get('', 'standard');
    assert.equal(sc.provisioner, 'k8s.io/minikube-hostpath');
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
    assert.equal(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class'], 'true');
    assert.equal((await c.client.storageClasses.list('')).items.length, 1);
  });
});
