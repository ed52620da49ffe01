import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import { REFS } from '../../client/client.js';
import { VirtualClock } from '../../machinery/clock.js';
import { getPod, NS, patchSpec, podNames, settle, startController, statusWhen, waitFor, webSet, type Harness } from '../../testing/statefulset.js';

let h: Harness;
afterEach(() => h?.stop());

const client = () => h.cluster.client;
const claimRefs = async (name: string) =>
  ((await client().resource(REFS.persistentvolumeclaims).get(NS, name)).metadata.ownerReferences ?? []).map((r) => `${r.kind}/${r.name} controller=${r.controller} block=${r.blockOwnerDeletion}`);

async function readySet(spec: Partial<StatefulSetSpec>, clock?: VirtualClock): Promise<void> {
  h = await startController(clock);
  h.kubelet.auto = true;
  await client().statefulSets.create(NS, webSet(spec));
  await statusWhen(h, (s) => s.readyReplicas === spec.replicas, `${spec.replicas} ready`);
}

test('spec.ordinals.start numbers pods, claims and pod-index from the start; moving it replaces the range', async () => {
  await readySet({ replicas: 2, ordinals: { start: 3 } });
  assert.deepEqual(podNames(h), ['web-3', 'web-4']);
  assert.equal(getPod(h, 'web-3')!.metadata!.labels!['apps.kubernetes.io/pod-index'], '3');
  await client().persistentVolumeClaims.get(NS, 'www-web-4');

  await patchSpec(h, { ordinals: { start: 2 } });
  await waitFor(() => podNames(h).join() === 'web-2,web-3', '{web-2, web-3}');
  await patchSpec(h, { ordinals: null });
  await waitFor(() => podNames(h).join() === 'web-0,web-1', '{web-0, web-1} once ordinals is removed');
});

test('partition counts from ordinals.start', async () => {
  await readySet({ replicas: 3, ordinals: { start: 5 }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  await client().statefulSets.patch(NS, 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:new' }] } } } });
  await waitFor(() => getPod(h, 'web-7')?.spec?.containers[0].image === 'nginx:new', 'web-7 (index 2) updated');
  await settle();
  assert.deepEqual(
    ['web-5', 'web-6'].map((n) => getPod(h, n)!.spec!.containers[0].image),
    ['registry.k8s.io/nginx-slim:0.24', 'registry.k8s.io/nginx-slim:0.24'],
  );
});

test('minReadySeconds: OrderedReady waits for availability, and availableReplicas follows the clock', async () => {
  const clock = new VirtualClock();
  h = await startController(clock);
  await client().statefulSets.create(NS, webSet({ replicas: 2, minReadySeconds: 10 }));
  await waitFor(() => getPod(h, 'web-0'), 'web-0');
  await h.kubelet.markReady('web-0');
  const ready = await statusWhen(h, (s) => s.readyReplicas === 1, 'web-0 ready');
  assert.equal(ready.availableReplicas, 0);
  await settle();
  assert.deepEqual(podNames(h), ['web-0'], 'web-1 waits until web-0 is available');
  // The requeue from the Ready event and the sync's own (+minReadySeconds) collapse to the earliest, as
  // client-go's delaying queue does; at exactly +10s the pod is not yet available (strictly after), so the
  // controller looks again a full minReadySeconds later.
  await clock.advance(10_000);
  await settle();
  await clock.advance(11_000);
  await waitFor(() => getPod(h, 'web-1'), 'web-1 after minReadySeconds');
  await statusWhen(h, (s) => s.availableReplicas === 1, 'availableReplicas 1');
  await h.kubelet.markReady('web-1');
  await statusWhen(h, (s) => s.readyReplicas === 2 && s.availableReplicas === 1, 'web-1 ready, not yet available');
  await settle();
  await clock.advance(10_000);
  await settle();
  await clock.advance(11_000);
  await statusWhen(h, (s) => s.availableReplicas === 2, 'availableReplicas 2 once the requeue fires');
});

test('whenScaled=Delete: condemned pods own their claims before deletion; whenDeleted=Retain sets no set ref', async () => {
  await readySet({ replicas: 3, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } });
  assert.deepEqual(await claimRefs('www-web-2'), []);
  h.kubelet.holdDeletion = true;
  await patchSpec(h, { replicas: 1 });
  await waitFor(() => getPod(h, 'web-2')?.metadata?.deletionTimestamp, 'web-2 terminating');
  assert.deepEqual(await claimRefs('www-web-2'), ['Pod/web-2 controller=true block=true']);
  assert.deepEqual(await claimRefs('www-web-1'), ['Pod/web-1 controller=true block=true'], 'every condemned claim is fixed first');
  assert.deepEqual(await claimRefs('www-web-0'), []);
});

test('whenScaled=Delete: a claim still owned by the previous pod blocks re-creation until it is collected', async () => {
  const clock = new VirtualClock();
  await readySet({ replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } }, clock);
  await patchSpec(h, { replicas: 1 });
  await waitFor(() => podNames(h).join() === 'web-0', 'scaled down');
  await patchSpec(h, { replicas: 2 });
  await settle(200);
  assert.deepEqual(podNames(h), ['web-0'], 'www-web-1 names the old web-1; no garbage collector has removed it');
  // The garbage collector deletes the claim; with no pod using it, PVC protection lets it go.
  await client().persistentVolumeClaims.delete(NS, 'www-web-1');
  await client().persistentVolumeClaims.patch(NS, 'www-web-1', 'merge', { metadata: { finalizers: null } });
  // Claims are not watched: at the latest the 30 s resync notices the claim is gone.
  await waitFor(async () => {
    await clock.advance(30_000);
    return getPod(h, 'web-1');
  }, 'web-1 recreated once the stale claim is gone');
  assert.deepEqual(await claimRefs('www-web-1'), []);
});

test('whenDeleted=Delete: claims get a controllerRef to the set; with whenScaled=Delete it moves to the pod on scale-down', async () => {
  await readySet({ replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } });
  assert.deepEqual(await claimRefs('www-web-0'), ['StatefulSet/web controller=true block=true']);
  assert.deepEqual(await claimRefs('www-web-1'), ['StatefulSet/web controller=true block=true']);
  h.kubelet.holdDeletion = true;
  await patchSpec(h, { replicas: 1 });
  await waitFor(() => getPod(h, 'web-1')?.metadata?.deletionTimestamp, 'web-1 terminating');
  assert.deepEqual(await claimRefs('www-web-1'), ['Pod/web-1 controller=true block=true']);
  assert.deepEqual(await claimRefs('www-web-0'), ['StatefulSet/web controller=true block=true']);
});

test('changing the policy on a running set rewrites claim refs; Retain/Retain removes them again', async () => {
  await readySet({ replicas: 1 });
  await patchSpec(h, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
  await waitFor(async () => (await claimRefs('www-web-0')).length === 1, 'set ref added');
  assert.deepEqual(await claimRefs('www-web-0'), ['StatefulSet/web controller=true block=true']);
  await patchSpec(h, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } });
  await waitFor(async () => (await claimRefs('www-web-0')).length === 0, 'refs removed under Retain');
});

test('a foreign controller on a claim blocks the policy with a ConflictingController warning', async () => {
  h = await startController();
  h.kubelet.auto = true;
  const foreign = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'foreign-uid', controller: true };
  await client().persistentVolumeClaims.create(NS, {
    metadata: { name: 'www-web-0', ownerReferences: [foreign] },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  await client().statefulSets.create(NS, webSet({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }));
  await statusWhen(h, (s) => s.readyReplicas === 1, 'ready');
  const event = await waitFor(
    async () => (await client().resource(REFS.events).list(NS)).items.find((e) => e.reason === 'ConflictingController'),
    'ConflictingController event',
  );
  assert.equal(
    event?.message,
    'PersistentVolumeClaim www-web-0 has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim',
  );
  assert.deepEqual(await claimRefs('www-web-0'), ['ConfigMap/owner controller=true block=undefined']);
});
