import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { TestCluster } from '../testing/fixture.js';
import { waitFor } from '../testing/fixture.js';
import { cordon, eventsFor, node, pod, schedulerCluster } from '../testing/schedulerobjects.js';

const NOT_HELPFUL = (n: number) => `preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;

const withClaim = (claimName: string) => ({ volumes: [{ name: 'www', persistentVolumeClaim: { claimName } }] });

function pv(name: string, onNode?: string): PersistentVolume {
  const spec: PersistentVolumeSpec = { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` }, storageClassName: 'local' };
  if (onNode) {
    spec.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [onNode] }] }] } };
  }
  return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec };
}

function pvc(name: string, storageClassName?: string): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName },
  };
}

function storageClass(name: string, mode: 'Immediate' | 'WaitForFirstConsumer', provisioner = 'rancher.io/local-path'): StorageClass {
  return { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, volumeBindingMode: mode, reclaimPolicy: 'Delete' };
}

/** What the PV controller does once a claim has a volume: volumeName, bind-completed, phase Bound. */
async function bindClaim(c: TestCluster, claim: string, volume: string): Promise<void> {
  const cur = await c.client.persistentVolumeClaims.get('default', claim);
  const annotations = { ...cur.metadata.annotations, 'pv.kubernetes.io/bind-completed': 'yes' };
  const updated = await c.client.persistentVolumeClaims.update('default', { ...cur, metadata: { ...cur.metadata, annotations }, spec: { ...cur.spec, volumeName: volume } });
  await c.client.persistentVolumeClaims.updateStatus('default', { ...updated, status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } });
}

describe('Scheduler volume binding', () => {
  it('sends a pod whose claim is bound to a local PersistentVolume to that volume’s node', async () => {
    const c = await schedulerCluster([node('k8ts'), node('k8ts-m02'), node('k8ts-m03')]);
    try {
      await c.client.persistentVolumes.create('', pv('pv-m02', 'k8ts-m02'));
      await c.client.persistentVolumeClaims.create('default', pvc('www-web-0', 'local'));
      await bindClaim(c, 'www-web-0', 'pv-m02');
      await c.client.pods.create('default', pod('web-0', withClaim('www-web-0')));
      assert.equal(await c.bound('web-0'), 'k8ts-m02');

      // Cordoned, the volume's node is out and the pod stays Pending (the drain case of §6.3).
      await cordon(c, 'k8ts-m02');
      await c.client.pods.create('default', pod('web-0b', withClaim('www-web-0')));
      assert.equal(
        (await c.rejected('web-0b')).message,
        `0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) had volume node affinity conflict. ${NOT_HELPFUL(3)}`,
      );
    } finally {
      c.stop();
    }
  });

  it('selects the node on a WaitForFirstConsumer claim and binds the pod once the claim is provisioned there', async () => {
    const c = await schedulerCluster([node('k8ts', { unschedulable: true }), node('k8ts-m02')]);
    try {
      await c.client.storageClasses.create('', storageClass('local', 'WaitForFirstConsumer'));
      await c.client.persistentVolumeClaims.create('default', pvc('www-web-0', 'local'));
      await c.client.pods.create('default', pod('web-0', withClaim('www-web-0')));
      const selected = await waitFor(async () => {
        const claim = await c.client.persistentVolumeClaims.get('default', 'www-web-0');
        return claim.metadata.annotations?.['volume.kubernetes.io/selected-node'];
      }, 'selected-node annotation');
      assert.equal(selected, 'k8ts-m02');
      // Not bound while the claim is still being provisioned.
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await c.client.pods.get('default', 'web-0')).spec.nodeName, undefined);
      // The provisioner creates the volume on the selected node and the claim binds.
      await c.client.persistentVolumes.create('', pv('pvc-1234', selected));
      await bindClaim(c, 'www-web-0', 'pvc-1234');
      assert.equal(await c.bound('web-0'), 'k8ts-m02');
      // One attempt, no failures on the way.
      const events = await waitFor(async () => {
        const e = await eventsFor(c, 'web-0');
        return e.length ? e : undefined;
      }, 'events');
      assert.deepEqual(events, ['Normal Scheduled: Successfully assigned default/web-0 to k8ts-m02']);
    } finally {
      c.stop();
    }
  });

  it('rejects a WaitForFirstConsumer claim whose class cannot provision', async () => {
    const c = await schedulerCluster([node('k8ts')]);
    try {
      await c.client.storageClasses.create('', storageClass('manual', 'WaitForFirstConsumer', 'kubernetes.io/no-provisioner'));
      await c.client.persistentVolumeClaims.create('default', pvc('data', 'manual'));
      await c.client.pods.create('default', pod('app', withClaim('data')));
      assert.equal((await c.rejected('app')).message, `0/1 nodes are available: 1 node(s) didn't find available persistent volumes to bind. ${NOT_HELPFUL(1)}`);
    } finally {
      c.stop();
    }
  });

  it('waits for an unbound Immediate claim to be bound', async () => {
    const c = await schedulerCluster([node('k8ts'), node('k8ts-m02')]);
    try {
      await c.client.storageClasses.create('', storageClass('standard', 'Immediate'));
      await c.client.persistentVolumeClaims.create('default', pvc('data', 'standard'));
      await c.client.pods.create('default', pod('app', withClaim('data')));
      assert.equal((await c.rejected('app')).message, `0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. ${NOT_HELPFUL(2)}`);
      await c.client.persistentVolumes.create('', pv('pv-data'));
      await bindClaim(c, 'data', 'pv-data');
      assert.equal(await c.bound('app'), 'k8ts');
    } finally {
      c.stop();
    }
  });

  it('reports a missing claim and schedules the pod when the claim appears', async () => {
    const c = await schedulerCluster([node('k8ts'), node('k8ts-m02'), node('k8ts-m03')]);
    try {
      await c.client.pods.create('default', pod('web-0', withClaim('www-web-0')));
      assert.equal((await c.rejected('web-0')).message, `0/3 nodes are available: persistentvolumeclaim "www-web-0" not found. ${NOT_HELPFUL(3)}`);
      await c.client.storageClasses.create('', storageClass('local', 'WaitForFirstConsumer'));
      await c.client.persistentVolumeClaims.create('default', pvc('www-web-0', 'local'));
      await waitFor(async () => (await c.client.persistentVolumeClaims.get('default', 'www-web-0')).metadata.annotations?.['volume.kubernetes.io/selected-node'], 'selected node');
    } finally {
      c.stop();
    }
  });
});
