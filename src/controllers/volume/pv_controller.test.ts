import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Event, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeSpec } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { REFS } from '../../client/client.js';
import type { Stored } from '../../client/objects.js';
import { isStatusError } from '../../machinery/errors.js';
import { testCluster, waitFor, type TestCluster } from '../../testing/fixture.js';
import { hostnameNodeAffinity } from './nodeaffinity.js';
import { PersistentVolumeController } from './pv_controller.js';
import { ensureDefaultStorageClass } from './storageclass.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Env {
  c: TestCluster;
  dataDir: string;
  ctrl: PersistentVolumeController;
}

async function setup(): Promise<Env> {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-pv-'));
  dirs.push(dataDir);
  const c = await testCluster();
  await ensureDefaultStorageClass(c.client);
  const ctrl = new PersistentVolumeController(c.ctx, { dataDir });
  await c.start();
  ctrl.start();
  return { c, dataDir, ctrl };
}

function done(env: Env): void {
  env.ctrl.stop();
  env.c.stop();
}

function claim(name: string, spec: PersistentVolumeClaimSpec = {}, metadata: ObjectMeta = {}): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, ...metadata },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  };
}

function volume(name: string, storage: string, spec: PersistentVolumeSpec = {}): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/mnt/${name}` }, ...spec },
  };
}

const storageClass = (name: string, provisioner: string, extra: Partial<StorageClass> = {}): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name },
  provisioner,
  ...extra,
});

// The untyped shorthand client keeps these assertions short; the controller code itself is typed.
async function bound(env: Env, name: string) {
  return waitFor(async () => {
    const pvc = await env.c.client.persistentVolumeClaims.get('default', name);
    return pvc.status?.phase === 'Bound' ? pvc : undefined;
  }, `claim ${name} Bound`);
}

async function events(env: Env, name: string): Promise<Array<Stored<Event>>> {
  const list = await env.c.client.resource(REFS.events).list('default');
  return list.items.filter((e) => e.involvedObject.name === name);
}

async function gone(get: () => Promise<unknown>, what: string): Promise<void> {
  await waitFor(async () => {
    try {
      await get();
      return false;
    } catch (e) {
      return isStatusError(e, 'NotFound');
    }
  }, what);
}

describe('PersistentVolumeController', () => {
  it('gives a classless claim the default class and provisions a hostPath volume for it', async () => {
    const env = await setup();
    const { client } = env.c;
    await client.persistentVolumeClaims.create('default', claim('www-web-0', {}, { labels: { app: 'nginx' } }));
    const pvc = await bound(env, 'www-web-0');
    const uid = pvc.metadata.uid;
    assert.equal(pvc.spec.storageClassName, 'standard');
    assert.equal(pvc.spec.volumeName, `pvc-${uid}`);
    assert.deepEqual(pvc.status.capacity, { storage: '1Gi' });
    assert.deepEqual(pvc.status.accessModes, ['ReadWriteOnce']);
    assert.equal(pvc.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(pvc.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal(pvc.metadata.annotations['volume.kubernetes.io/storage-provisioner'], 'k8s.io/minikube-hostpath');
    assert.equal(pvc.metadata.annotations['volume.beta.kubernetes.io/storage-provisioner'], 'k8s.io/minikube-hostpath');

    const pv = await waitFor(async () => {
      const v = await client.persistentVolumes.get('', `pvc-${uid}`);
      return v.status?.phase === 'Bound' ? v : undefined;
    }, 'volume Bound');
    const dir = join(env.dataDir, 'volumes', 'default', `www-web-0-${uid.slice(0, 8)}`);
    assert.deepEqual(pv.spec.hostPath, { path: dir, type: 'DirectoryOrCreate' });
    assert.ok(existsSync(dir));
    assert.deepEqual(pv.spec.capacity, { storage: '1Gi' });
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.spec.storageClassName, 'standard');
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/provisioned-by'], 'k8s.io/minikube-hostpath');
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/bound-by-controller'], undefined);
    assert.equal(pv.spec.claimRef.kind, 'PersistentVolumeClaim');
    assert.equal(pv.spec.claimRef.uid, uid);
    assert.equal(pv.spec.claimRef.name, 'www-web-0');

    const reasons = (await waitFor(async () => {
      const evs = await events(env, 'www-web-0');
      return evs.some((e) => e.reason === 'ProvisioningSucceeded') && evs;
    }, 'ProvisioningSucceeded event')) as Array<Stored<Event>>;
    const ok = reasons.find((e) => e.reason === 'ProvisioningSucceeded');
    assert.equal(ok?.message, `Successfully provisioned volume pvc-${uid}`);
    assert.ok(reasons.some((e) => e.reason === 'ExternalProvisioning' && e.source?.component === 'persistentvolume-controller'));
    assert.ok(reasons.some((e) => e.reason === 'Provisioning' && e.message === 'External provisioner is provisioning volume for claim "default/www-web-0"'));
    done(env);
  });

  it('binds a claim to the smallest matching static volume', async () => {
    const env = await setup();
    const { client } = env.c;
    await client.persistentVolumes.create('', volume('big', '10Gi', { storageClassName: 'manual' }));
    await client.persistentVolumes.create('', volume('fits', '2Gi', { storageClassName: 'manual' }));
    await client.persistentVolumes.create('', volume('small', '500Mi', { storageClassName: 'manual' }));
    // New volumes are Pending until the controller has seen them and made them Available.
    await waitFor(async () => (await client.persistentVolumes.list('')).items.every((v: PersistentVolume) => v.status?.phase === 'Available'), 'volumes Available');
    await client.persistentVolumeClaims.create('default', claim('data', { storageClassName: 'manual' }));
    const pvc = await bound(env, 'data');
    assert.equal(pvc.spec.volumeName, 'fits');
    // The claim shows the volume's capacity, not its request.
    assert.deepEqual(pvc.status.capacity, { storage: '2Gi' });
    const pv = await waitFor(async () => {
      const v = await client.persistentVolumes.get('', 'fits');
      return v.status?.phase === 'Bound' ? v : undefined;
    }, 'volume fits Bound');
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal(pv.spec.claimRef.uid, pvc.metadata.uid);
    const others = await Promise.all(['big', 'small'].map((n) => client.persistentVolumes.get('', n)));
    assert.deepEqual(others.map((v) => v.status.phase), ['Available', 'Available']);
    done(env);
  });

  // rancher's local-path-provisioner, and OpenEBS's local hostpath class as the field report (seed 002) uses it.
  for (const provisioner of ['rancher.io/local-path', 'openebs.io/local']) it(`${provisioner}: waits for the first consumer, then provisions on the selected node and pins the volume there`, async () => {
    const env = await setup();
    const { client } = env.c;
    const annotations = provisioner === 'openebs.io/local' ? { 'openebs.io/cas-type': 'local', 'cas.openebs.io/config': '- name: StorageType\n  value: "hostpath"\n- name: BasePath\n  value: "/var/openebs/local"\n' } : undefined;
    const sc = storageClass('local-path', provisioner, { volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete' });
    await client.storageClasses.create('', { ...sc, metadata: { ...sc.metadata, annotations } });
    await client.persistentVolumeClaims.create('default', claim('data', { storageClassName: 'local-path' }));
    const waiting = await waitFor(async () => (await events(env, 'data')).find((e) => e.reason === 'WaitForFirstConsumer'), 'WaitForFirstConsumer event');
    assert.equal(waiting?.message, 'waiting for first consumer to be created before binding');
    assert.equal((await client.persistentVolumes.list('')).items.length, 0);
    assert.equal((await client.persistentVolumeClaims.get('default', 'data')).status.phase, 'Pending');

    await client.persistentVolumeClaims.patch('default', 'data', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'k8ts-m02' } } });
    const pvc = await bound(env, 'data');
    const pv = await client.persistentVolumes.get('', pvc.spec.volumeName);
    assert.deepEqual(pv.spec.nodeAffinity, hostnameNodeAffinity('k8ts-m02'));
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/provisioned-by'], provisioner);
    done(env);
  });

  it('binds a no-provisioner claim only to a local volume on the selected node', async () => {
    const env = await setup();
    const { client } = env.c;
    await client.storageClasses.create('', storageClass('local-storage', 'kubernetes.io/no-provisioner', { volumeBindingMode: 'WaitForFirstConsumer' }));
    for (const node of ['k8ts', 'k8ts-m02']) {
      await client.persistentVolumes.create('', volume(`local-${node}`, '5Gi', { storageClassName: 'local-storage', nodeAffinity: hostnameNodeAffinity(node), persistentVolumeReclaimPolicy: 'Retain' }));
    }
    await client.persistentVolumeClaims.create('default', claim('data', { storageClassName: 'local-storage' }, { annotations: { 'volume.kubernetes.io/selected-node': 'k8ts-m02' } }));
    const pvc = await bound(env, 'data');
    assert.equal(pvc.spec.volumeName, 'local-k8ts-m02');

    await client.persistentVolumeClaims.create('default', claim('too-big', { storageClassName: 'local-storage', resources: { requests: { storage: '50Gi' } } }, { annotations: { 'volume.kubernetes.io/selected-node': 'k8ts' } }));
    const failed = await waitFor(async () => (await events(env, 'too-big')).find((e) => e.reason === 'ProvisioningFailed'), 'ProvisioningFailed event');
    assert.equal(failed?.type, 'Warning');
    assert.equal(failed?.message, 'no volume plugin matched name: kubernetes.io/no-provisioner');
    assert.equal((await client.persistentVolumes.get('', 'local-k8ts')).status.phase, 'Available');
    done(env);
  });

  it('deletes a released Delete volume and its directory once the unused claim is gone', async () => {
    const env = await setup();
    const { client } = env.c;
    await client.persistentVolumeClaims.create('default', claim('scratch'));
    const pvc = await bound(env, 'scratch');
    const pv = await client.persistentVolumes.get('', pvc.spec.volumeName);
    assert.ok(existsSync(pv.spec.hostPath.path));
    // Protection finalizers are in place before anything is deleted.
    await waitFor(async () => (await client.persistentVolumeClaims.get('default', 'scratch')).metadata.finalizers?.includes('kubernetes.io/pvc-protection'), 'pvc-protection finalizer');
    await waitFor(async () => (await client.persistentVolumes.get('', pv.metadata.name)).metadata.finalizers?.includes('kubernetes.io/pv-protection'), 'pv-protection finalizer');

    await client.persistentVolumeClaims.delete('default', 'scratch');
    await gone(() => client.persistentVolumeClaims.get('default', 'scratch'), 'claim gone');
    await gone(() => client.persistentVolumes.get('', pv.metadata.name), 'volume gone');
    assert.equal(existsSync(pv.spec.hostPath.path), false);
    done(env);
  });

  it('keeps a Retain volume Released with its data, and a deleted bound volume until its claim goes', async () => {
    const env = await setup();
    const { client } = env.c;
    await client.storageClasses.create('', storageClass('keep', 'k8ts.io/hostpath', { reclaimPolicy: 'Retain' }));
    await client.persistentVolumeClaims.create('default', claim('keep-me', { storageClassName: 'keep' }));
    const pvc = await bound(env, 'keep-me');
    const name = pvc.spec.volumeName;
    await waitFor(async () => (await client.persistentVolumes.get('', name)).metadata.finalizers?.includes('kubernetes.io/pv-protection'), 'pv-protection finalizer');

    await client.persistentVolumes.delete('', name);
    const deleting = await client.persistentVolumes.get('', name);
    assert.ok(deleting.metadata.deletionTimestamp, 'a bound volume waits for its claim');
    assert.equal(deleting.status.phase, 'Bound');

    await client.persistentVolumeClaims.delete('default', 'keep-me');
    await gone(() => client.persistentVolumes.get('', name), 'volume gone after its claim');
    assert.ok(existsSync(deleting.spec.hostPath.path), 'Retain never removes the data');
    done(env);
  });

  it('marks a Retain volume Released when its claim is deleted', async () => {
    const env = await setup();
    const { client } = env.c;
    await client.persistentVolumes.create('', volume('manual', '1Gi', { storageClassName: '', persistentVolumeReclaimPolicy: 'Retain' }));
    await client.persistentVolumeClaims.create('default', claim('mine', { storageClassName: '' }));
    await bound(env, 'mine');
    await client.persistentVolumeClaims.delete('default', 'mine');
    const pv = await waitFor(async () => {
      const v = await client.persistentVolumes.get('', 'manual');
      return v.status?.phase === 'Released' ? v : undefined;
    }, 'volume Released');
    assert.equal(pv.spec.claimRef.name, 'mine');
    done(env);
  });

  it('keeps a claim Terminating while a scheduled pod uses it', async () => {
    const env = await setup();
    const { client } = env.c;
    await client.persistentVolumeClaims.create('default', claim('www-web-0'));
    await bound(env, 'www-web-0');
    await waitFor(async () => (await client.persistentVolumeClaims.get('default', 'www-web-0')).metadata.finalizers?.length, 'finalizer');
    await client.pods.create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-0' },
      spec: {
        nodeName: 'k8ts',
        containers: [{ name: 'nginx', image: 'nginx' }],
        volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }],
      },
    });
    await client.persistentVolumeClaims.delete('default', 'www-web-0');
    await new Promise((r) => setTimeout(r, 100));
    const held = await client.persistentVolumeClaims.get('default', 'www-web-0');
    assert.ok(held.metadata.deletionTimestamp);
    assert.deepEqual(held.metadata.finalizers, ['kubernetes.io/pvc-protection']);

    await client.pods.delete('default', 'web-0', { gracePeriodSeconds: 0 });
    await gone(() => client.persistentVolumeClaims.get('default', 'www-web-0'), 'claim gone after the pod');
    done(env);
  });

  it('reports a missing class and provisions once the class appears', async () => {
    const env = await setup();
    const { client } = env.c;
    await client.persistentVolumeClaims.create('default', claim('cassandra-data-cassandra-0', { storageClassName: 'fast' }));
    const failed = await waitFor(async () => (await events(env, 'cassandra-data-cassandra-0')).find((e) => e.reason === 'ProvisioningFailed'), 'ProvisioningFailed');
    assert.equal(failed?.message, 'storageclass.storage.k8s.io "fast" not found');
    await client.storageClasses.create('', storageClass('fast', 'k8s.io/minikube-hostpath', { parameters: { type: 'pd-ssd' } }));
    const pvc = await bound(env, 'cassandra-data-cassandra-0');
    assert.equal((await client.persistentVolumes.get('', pvc.spec.volumeName)).spec.storageClassName, 'fast');
    done(env);
  });

  it('leaves a claim Pending with FailedBinding when there is no class, no default and no volume', async () => {
    const env = await setup();
    const { client } = env.c;
    await client.persistentVolumeClaims.create('default', claim('orphan', { storageClassName: '' }));
    const ev = await waitFor(async () => (await events(env, 'orphan')).find((e) => e.reason === 'FailedBinding'), 'FailedBinding');
    assert.equal(ev?.message, 'no persistent volumes available for this claim and no storage class is set');
    assert.equal((await client.persistentVolumeClaims.get('default', 'orphan')).status.phase, 'Pending');
    done(env);
  });
});
