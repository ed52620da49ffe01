import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { REFS } from '../../client/client.js';
import type { KubeObject, Stored } from '../../client/objects.js';
import type { ResourceRef } from '../../client/transport.js';
import { isStatusError } from '../../machinery/errors.js';
import { testCluster, waitFor, type TestCluster } from '../../testing/fixture.js';
import { GarbageCollector } from './garbagecollector.js';

let cluster: TestCluster | undefined;
let gc: GarbageCollector | undefined;

afterEach(() => {
  gc?.stop();
  cluster?.stop();
  gc = cluster = undefined;
});

async function start(): Promise<TestCluster> {
  cluster = await testCluster();
  gc = new GarbageCollector(cluster.ctx);
  gc.start();
  await cluster.start();
  return cluster;
}

function ownerRef(owner: Stored<KubeObject>, apiVersion: string, kind: string, extra: Partial<OwnerReference> = {}): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, ...extra };
}

const stsRef = (sts: Stored<KubeObject>) => ownerRef(sts, 'apps/v1', 'StatefulSet', { controller: true, blockOwnerDeletion: true });

function statefulSet(name: string) {
  return {
    metadata: { name },
    spec: {
      replicas: 2,
      serviceName: 'nginx',
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
    },
  };
}

/** A pod bound to a node, so deleting it is graceful (an unbound pod goes at once). */
function pod(name: string, owners: OwnerReference[]) {
  return { metadata: { name, labels: { app: 'web' }, ownerReferences: owners }, spec: { nodeName: 'k8ts', containers: [{ name: 'nginx', image: 'nginx' }] } };
}

/** No owner references left (upstream omits the emptied list; an empty one means the same). */
const noOwners = (o: KubeObject) => (o.metadata?.ownerReferences ?? []).length === 0;

function configMap(name: string, owners: OwnerReference[] = []) {
  return { metadata: { name, ownerReferences: owners }, data: {} };
}

async function gone(c: TestCluster, ref: ResourceRef, ns: string, name: string): Promise<boolean> {
  try {
    await c.client.resource(ref).get(ns, name);
    return false;
  } catch (e) {
    if (isStatusError(e, 'NotFound')) return true;
    throw e;
  }
}

/** A web StatefulSet with pods web-0, web-1 and a ControllerRevision, all owned by it, seen by the collector. */
async function webSet(c: TestCluster) {
  const sts = await c.client.statefulSets.create('default', statefulSet('web'));
  for (const n of ['web-0', 'web-1']) await c.client.pods.create('default', pod(n, [stsRef(sts)]));
  await c.client.controllerRevisions.create('default', { metadata: { name: 'web-7b8c9d', ownerReferences: [stsRef(sts)] }, data: {}, revision: 1 });
  await waitFor(() => gc!.graph.uidToNode.get(sts.metadata.uid)?.dependents.size === 3, 'the graph to hold the set and its dependents');
  return sts;
}

describe('GarbageCollector', () => {
  it('Background: deleting the owner deletes its pods (graceful, Terminating) and its ControllerRevisions', async () => {
    const c = await start();
    await webSet(c);
    await c.client.statefulSets.delete('default', 'web', { propagationPolicy: 'Background' });
    await waitFor(() => gone(c, REFS.controllerrevisions, 'default', 'web-7b8c9d'), 'the ControllerRevision to be collected');
    for (const n of ['web-0', 'web-1']) {
      const p = await waitFor(async () => {
        const live = await c.client.pods.get('default', n);
        return live.metadata.deletionTimestamp ? live : undefined;
      }, `${n} to be terminating`);
      assert.equal(p.metadata.deletionGracePeriodSeconds, 30);
    }
  });

  it('Orphan: the owner goes and its dependents stay without the owner reference', async () => {
    const c = await start();
    const sts = await webSet(c);
    const deleting = await c.client.statefulSets.delete('default', 'web', { propagationPolicy: 'Orphan' });
    assert.deepEqual(deleting.metadata.finalizers, ['orphan']);
    await waitFor(() => gone(c, REFS.statefulsets, 'default', 'web'), 'the set to be removed once orphaning is done');
    for (const n of ['web-0', 'web-1']) {
      const p = await c.client.pods.get('default', n);
      assert.ok(noOwners(p), `${n} keeps no reference`);
      assert.equal(p.metadata.deletionTimestamp, undefined, `${n} is not deleted`);
    }
    const rev = await c.client.controllerRevisions.get('default', 'web-7b8c9d');
    assert.ok(noOwners(rev));
    // Nothing comes back for them later either: the orphans are not collected.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await c.client.pods.get('default', 'web-0')).metadata.deletionTimestamp, undefined);
    assert.ok(!gc!.graph.uidToNode.has(sts.metadata.uid));
  });

  it('Foreground: the owner waits with deletionTimestamp until blocking dependents are gone', async () => {
    const c = await start();
    await webSet(c);
    await c.client.statefulSets.delete('default', 'web', { propagationPolicy: 'Foreground' });
    await waitFor(async () => (await c.client.pods.get('default', 'web-1')).metadata.deletionTimestamp, 'web-1 to be terminating');
    await waitFor(async () => (await c.client.pods.get('default', 'web-0')).metadata.deletionTimestamp, 'web-0 to be terminating');
    await waitFor(() => gone(c, REFS.controllerrevisions, 'default', 'web-7b8c9d'), 'the revision to be collected');
    const waiting = await c.client.statefulSets.get('default', 'web');
    assert.ok(waiting.metadata.deletionTimestamp);
    assert.deepEqual(waiting.metadata.finalizers, ['foregroundDeletion']);
    // The kubelet finishes terminating one pod: the set still waits for the other.
    await c.client.pods.delete('default', 'web-0', { gracePeriodSeconds: 0 });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await gone(c, REFS.statefulsets, 'default', 'web'), false);
    await c.client.pods.delete('default', 'web-1', { gracePeriodSeconds: 0 });
    await waitFor(() => gone(c, REFS.statefulsets, 'default', 'web'), 'the set to be removed after its pods');
  });

  it('Foreground: a dependent that has blocking dependents of its own is deleted in the foreground too', async () => {
    const c = await start();
    const cmRef = (o: Stored<KubeObject>) => ownerRef(o, 'v1', 'ConfigMap', { blockOwnerDeletion: true });
    const top = await c.client.resource(REFS.configmaps).create('default', configMap('top'));
    const mid = await c.client.resource(REFS.configmaps).create('default', configMap('mid', [cmRef(top)]));
    await c.client.resource(REFS.configmaps).create('default', configMap('leaf', [cmRef(mid)]));
    await waitFor(() => gc!.graph.uidToNode.get(mid.metadata.uid)?.dependents.size === 1, 'the graph to hold the chain');
    const seen: string[] = [];
    c.informers.get(REFS.configmaps).addHandler({
      update: (_o, n) => {
        if (n.metadata.name === 'mid' && n.metadata.deletionTimestamp) seen.push(...(n.metadata.finalizers ?? []));
      },
    });
    await c.client.resource(REFS.configmaps).delete('default', 'top', { propagationPolicy: 'Foreground' });
    await waitFor(() => gone(c, REFS.configmaps, 'default', 'top'), 'the top of the chain to go last');
    assert.ok(await gone(c, REFS.configmaps, 'default', 'mid'));
    assert.ok(await gone(c, REFS.configmaps, 'default', 'leaf'));
    assert.ok(seen.includes('foregroundDeletion'), 'mid was deleted in the foreground');
  });

  it('a dependent with another live owner only loses the reference to the deleted one', async () => {
    const c = await start();
    const a = await c.client.resource(REFS.configmaps).create('default', configMap('owner-a'));
    const b = await c.client.resource(REFS.configmaps).create('default', configMap('owner-b'));
    await c.client.resource(REFS.configmaps).create('default', configMap('shared', [ownerRef(a, 'v1', 'ConfigMap'), ownerRef(b, 'v1', 'ConfigMap')]));
    await waitFor(() => gc!.graph.uidToNode.get(a.metadata.uid)?.dependents.size === 1, 'the graph to hold the dependent');
    await c.client.resource(REFS.configmaps).delete('default', 'owner-a');
    const shared = await waitFor(async () => {
      const live = await c.client.resource(REFS.configmaps).get('default', 'shared');
      return live.metadata.ownerReferences?.length === 1 ? live : undefined;
    }, 'the reference to owner-a to be removed');
    assert.equal(shared!.metadata.ownerReferences![0].uid, b.metadata.uid);
    assert.equal(shared!.metadata.deletionTimestamp, undefined);
  });

  it('collects an object whose owner never existed, or exists under that name with another uid', async () => {
    const c = await start();
    const other = await c.client.resource(REFS.configmaps).create('default', configMap('real'));
    await c.client.resource(REFS.configmaps).create('default', configMap('dangling', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: 'no-such-uid' }]));
    await c.client.resource(REFS.configmaps).create('default', configMap('stale', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'real', uid: 'old-uid-of-real' }]));
    await waitFor(() => gone(c, REFS.configmaps, 'default', 'dangling'), 'the dependent of a missing owner to be collected');
    await waitFor(() => gone(c, REFS.configmaps, 'default', 'stale'), 'the dependent of a replaced owner to be collected');
    assert.equal((await c.client.resource(REFS.configmaps).get('default', 'real')).metadata.uid, other.metadata.uid);
    await waitFor(() => !gc!.graph.uidToNode.has('no-such-uid'), 'the virtual owner to leave the graph');
  });

  it('treats a namespaced owner in another namespace as absent and reports OwnerRefInvalidNamespace', async () => {
    const c = await start();
    await c.client.namespaces.create('', { metadata: { name: 'other' } });
    const owner = await c.client.resource(REFS.configmaps).create('default', configMap('owner'));
    await waitFor(() => gc!.graph.uidToNode.has(owner.metadata.uid), 'the owner in the graph');
    const stray = await c.client.resource(REFS.configmaps).create('other', configMap('stray', [ownerRef(owner, 'v1', 'ConfigMap')]));
    await waitFor(() => gone(c, REFS.configmaps, 'other', 'stray'), 'the cross-namespace dependent to be collected');
    const ev = await waitFor(async () => (await c.client.resource(REFS.events).list('other')).items.find((e) => e.reason === 'OwnerRefInvalidNamespace'), 'the warning event');
    assert.equal(ev?.type, 'Warning');
    assert.equal(ev?.involvedObject.uid, stray.metadata.uid);
    assert.equal(ev?.message, `ownerRef [v1/ConfigMap, namespace: other, name: owner, uid: ${owner.metadata.uid}] does not exist in namespace "other"`);
    assert.ok(!(await gone(c, REFS.configmaps, 'default', 'owner')));
  });

  it('deletes namespaced dependents of a cluster-scoped owner (a node lease when its Node goes)', async () => {
    const c = await start();
    const node = await c.client.nodes.create('', { metadata: { name: 'k8ts-m02' } });
    await c.client.leases.create('kube-node-lease', { metadata: { name: 'k8ts-m02', ownerReferences: [ownerRef(node, 'v1', 'Node')] }, spec: { holderIdentity: 'k8ts-m02' } });
    await waitFor(() => gc!.graph.uidToNode.get(node.metadata.uid)?.dependents.size === 1, 'the lease in the graph');
    await c.client.nodes.delete('', 'k8ts-m02');
    await waitFor(() => gone(c, REFS.leases, 'kube-node-lease', 'k8ts-m02'), 'the lease to be collected');
  });

  it('finishes an orphaning that started before the collector ran', async () => {
    cluster = await testCluster();
    const c = cluster;
    const owner = await c.client.resource(REFS.configmaps).create('default', configMap('owner'));
    await c.client.resource(REFS.configmaps).create('default', configMap('kept', [ownerRef(owner, 'v1', 'ConfigMap')]));
    await c.client.resource(REFS.configmaps).delete('default', 'owner', { propagationPolicy: 'Orphan' });
    gc = new GarbageCollector(c.ctx);
    gc.start();
    await c.start();
    await waitFor(() => gone(c, REFS.configmaps, 'default', 'owner'), 'the owner to be released');
    assert.ok(noOwners(await c.client.resource(REFS.configmaps).get('default', 'kept')));
  });
});
