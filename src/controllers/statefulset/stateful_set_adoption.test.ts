import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { REFS } from '../../client/client.js';
import type { KubeObject } from '../../client/objects.js';
import { getPod, NS, podNames, settle, startController, statusWhen, waitFor, webSet, type Harness } from '../../testing/statefulset.js';

let h: Harness;
afterEach(() => h?.stop());

const client = () => h.cluster.client;
const ownerUids = (pod: Pod | undefined) => (pod?.metadata?.ownerReferences ?? []).map((r) => r.uid);

/** What the garbage collector does for `kubectl delete --cascade=orphan`: drop the set's refs from its dependents. */
async function orphanDependents(uid: string): Promise<void> {
  for (const resource of [client().resource<KubeObject>(REFS.pods), client().resource<KubeObject>(REFS.controllerrevisions)]) {
    for (const obj of (await resource.list(NS)).items) {
      if (!obj.metadata.ownerReferences?.some((r) => r.uid === uid)) continue;
      await resource.patch(NS, obj.metadata.name, 'strategic', { metadata: { ownerReferences: [{ $patch: 'delete', uid }] } });
    }
  }
}

test('orphaning delete, then re-creation adopts the survivors, recreates web-0 and deletes pods above replicas', async () => {
  h = await startController();
  h.kubelet.auto = true;
  const old = await client().statefulSets.create(NS, webSet({ replicas: 3 }));
  const first = await statusWhen(h, (s) => s.readyReplicas === 3, 'three ready');

  await client().statefulSets.delete(NS, 'web');
  await orphanDependents(old.metadata.uid);
  await waitFor(() => podNames(h).every((n) => ownerUids(getPod(h, n)).length === 0), 'pods orphaned');
  await client().pods.delete(NS, 'web-0');
  await settle();
  assert.deepEqual(podNames(h), ['web-1', 'web-2'], 'nothing recreates web-0 without a set');

  const web1 = getPod(h, 'web-1')!;
  h.podEvents.length = 0;
  const set = await client().statefulSets.create(NS, webSet({ replicas: 2 }));
  const done = () => podNames(h).join() === 'web-0,web-1';
  const status = await statusWhen(h, (s) => s.replicas === 2 && s.readyReplicas === 2 && done(), 'web-0 and web-1 ready, web-2 gone');
  assert.deepEqual(ownerUids(getPod(h, 'web-1')), [set.metadata.uid], 'web-1 adopted');
  assert.equal(getPod(h, 'web-1')!.metadata!.uid, web1.metadata!.uid, 'web-1 was not restarted');
  assert.equal(status.updateRevision, first.updateRevision, 'same template, same revision');
  const revisions: ControllerRevision[] = (await client().controllerRevisions.list(NS)).items;
  assert.deepEqual(
    revisions.map((r) => [r.metadata!.name, r.metadata!.ownerReferences![0].uid]),
    [[first.updateRevision, set.metadata.uid]],
  );
  const order = h.podEvents.filter((e) => e.startsWith('ADDED') || e.startsWith('DELETED'));
  assert.deepEqual(order, ['ADDED web-0', 'DELETED web-2'], 'web-2 goes only after web-0 is created and Ready');
});

test('a pod whose labels stop matching is released; matching labels again bring re-adoption', async () => {
  h = await startController();
  h.kubelet.auto = true;
  const set = await client().statefulSets.create(NS, webSet({ replicas: 1 }));
  await statusWhen(h, (s) => s.readyReplicas === 1, 'ready');

  await client().pods.patch(NS, 'web-0', 'merge', { metadata: { ownerReferences: null } });
  await waitFor(() => ownerUids(getPod(h, 'web-0'))[0] === set.metadata.uid, 're-adopted after its ownerReferences were removed');

  await client().pods.patch(NS, 'web-0', 'merge', { metadata: { labels: { app: 'other' } } });
  await waitFor(() => ownerUids(getPod(h, 'web-0')).length === 0, 'released');
  await settle();
  assert.equal(getPod(h, 'web-0')!.metadata!.labels!.app, 'other', 'the released pod keeps its name; the set cannot create another');

  await client().pods.patch(NS, 'web-0', 'merge', { metadata: { labels: { app: 'nginx' } } });
  await waitFor(() => ownerUids(getPod(h, 'web-0'))[0] === set.metadata.uid, 're-adopted');
});

test('orphans are adopted only when both the selector and the <set>-<ordinal> name match', async () => {
  h = await startController();
  const pod = (name: string) => ({ metadata: { name, labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } });
  await client().pods.create(NS, pod('web-0'));
  await client().pods.create(NS, pod('nginx-0'));
  await client().pods.create(NS, pod('web-extra'));
  const set = await client().statefulSets.create(NS, webSet({ replicas: 1 }));
  await waitFor(() => ownerUids(getPod(h, 'web-0'))[0] === set.metadata.uid, 'web-0 adopted');
  await settle();
  assert.deepEqual(ownerUids(getPod(h, 'nginx-0')), []);
  assert.deepEqual(ownerUids(getPod(h, 'web-extra')), []);
});

test('a pod controlled by another owner is left alone', async () => {
  h = await startController();
  const foreign = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'not-the-set', controller: true };
  await client().pods.create(NS, {
    metadata: { name: 'web-0', labels: { app: 'nginx' }, ownerReferences: [foreign] },
    spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
  });
  await client().statefulSets.create(NS, webSet({ replicas: 1 }));
  await settle(200);
  assert.deepEqual(getPod(h, 'web-0')!.metadata!.ownerReferences, [foreign]);
});
