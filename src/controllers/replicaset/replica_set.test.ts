import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { ReplicaSet, ReplicaSetSpec } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodSpec, ReplicationController } from 'kubernetes-types/core/v1.js';
import { REFS, type TypedRef } from '../../client/client.js';
import { VirtualClock, type Clock } from '../../machinery/clock.js';
import { testCluster, waitFor, type TestCluster } from '../../testing/fixture.js';
import { TestKubelet } from '../../testing/statefulset.js';
import { ReplicaSetController } from './replica_set.js';

const NS = 'default';
const RCS: TypedRef<ReplicationController> = { group: '', version: 'v1', plural: 'replicationcontrollers' };

interface Harness {
  cluster: TestCluster;
  kubelet: TestKubelet;
  stop(): void;
}

let h: Harness | undefined;
afterEach(() => h?.stop());

async function start(kind: 'ReplicaSet' | 'ReplicationController' = 'ReplicaSet', clock?: Clock): Promise<Harness> {
  const cluster = await testCluster(clock);
  const controller = new ReplicaSetController(cluster.ctx, kind);
  const kubelet = new TestKubelet(cluster);
  await cluster.start();
  controller.start();
  h = {
    cluster,
    kubelet,
    stop() {
      kubelet.stop();
      controller.stop();
      cluster.stop();
    },
  };
  return h;
}

const template = (extra: Partial<PodSpec> = {}) => ({
  metadata: { labels: { app: 'frontend', tier: 'web' }, annotations: { team: 'a' } },
  spec: { containers: [{ name: 'php', image: 'gcr.io/google_samples/gb-frontend:v3' }], ...extra },
});

function frontend(spec: Partial<ReplicaSetSpec> = {}, name = 'frontend'): ReplicaSet {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: NS }, spec: { replicas: 3, selector: { matchLabels: { tier: 'web' } }, template: template(), ...spec } };
}

const createRS = (spec: Partial<ReplicaSetSpec> = {}) => h!.cluster.client.resource(REFS.replicasets).create(NS, frontend(spec));
const getRS = () => h!.cluster.client.resource(REFS.replicasets).get(NS, 'frontend');
const scale = (replicas: number) => h!.cluster.client.resource(REFS.replicasets).patch(NS, 'frontend', 'merge', { spec: { replicas } });

const allPods = (): Pod[] => h!.cluster.informers.get(REFS.pods).list();
const ownedBy = (uid: string) => (p: Pod) => p.metadata?.ownerReferences?.some((r) => r.uid === uid && r.controller);
const activePods = (uid: string): Pod[] => allPods().filter((p) => ownedBy(uid)(p) && !p.metadata?.deletionTimestamp);
const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name!).sort();

async function events(kind: string): Promise<string[]> {
  const list = await h!.cluster.client.resource(REFS.events).list(NS);
  return list.items
    .filter((e) => e.involvedObject.kind === kind)
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e) => `${e.type} ${e.reason} ${e.message}`);
}

const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

test('scale up creates pods named <rs>-xxxxx from the template, owned by the set, and reports status', async () => {
  await start();
  const rs = await createRS();
  await waitFor(() => activePods(rs.metadata.uid).length === 3, '3 pods');
  await settle();
  const pods = activePods(rs.metadata.uid);
  assert.equal(pods.length, 3, 'no more than 3');
  for (const pod of pods) {
    assert.match(pod.metadata!.name!, /^frontend-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(pod.metadata!.generateName, 'frontend-');
    assert.deepEqual(pod.metadata!.labels, { app: 'frontend', tier: 'web' });
    assert.equal(pod.metadata!.annotations?.team, 'a');
    assert.deepEqual(pod.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'frontend', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  }
  const status = await waitFor(async () => {
    const s = (await getRS()).status;
    return s?.replicas === 3 ? s : undefined;
  }, 'status.replicas 3');
  assert.deepEqual(status, { replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
  await waitFor(async () => (await events('ReplicaSet')).length === 3, 'events');
  assert.deepEqual((await events('ReplicaSet')).sort(), names(pods).map((n) => `Normal SuccessfulCreate Created pod: ${n}`));
});

test('scale down deletes unscheduled, then pending, then not-ready pods before ready ones', async () => {
  await start();
  const rs = await createRS({ replicas: 4 });
  await waitFor(() => activePods(rs.metadata.uid).length === 4, '4 pods');
  const [unassigned, pending, notReady, ready] = names(activePods(rs.metadata.uid));
  for (const n of [pending, notReady, ready]) await h!.kubelet.bind(n);
  await h!.kubelet.markReady(notReady, false);
  await h!.kubelet.markReady(ready);
  await waitFor(async () => (await getRS()).status?.readyReplicas === 1, 'readyReplicas 1');

  await scale(3);
  await waitFor(() => activePods(rs.metadata.uid).length === 3, '3 active pods');
  assert.deepEqual(names(activePods(rs.metadata.uid)), [pending, notReady, ready].sort());
  assert.equal(allPods().find((p) => p.metadata?.name === unassigned), undefined, 'an unbound pod is deleted at once');

  await scale(1);
  await waitFor(() => activePods(rs.metadata.uid).length === 1, '1 active pod');
  assert.deepEqual(names(activePods(rs.metadata.uid)), [ready]);
  // Bound pods terminate gracefully; while they do, they no longer count and are not deleted again.
  await settle();
  assert.equal(activePods(rs.metadata.uid).length, 1);
  const status = (await getRS()).status!;
  assert.equal(status.replicas, 1);
  assert.equal(status.readyReplicas, 1);
  const deletes = (await events('ReplicaSet')).filter((e) => e.includes('SuccessfulDelete'));
  assert.deepEqual(deletes.sort(), [unassigned, pending, notReady].map((n) => `Normal SuccessfulDelete Deleted pod: ${n}`).sort());
});

test('a deleted pod is replaced, including one that is still terminating', async () => {
  await start();
  const rs = await createRS({ replicas: 2 });
  await waitFor(() => activePods(rs.metadata.uid).length === 2, '2 pods');
  const [first, second] = names(activePods(rs.metadata.uid));
  await h!.cluster.client.pods.delete(NS, first);
  await waitFor(() => activePods(rs.metadata.uid).length === 2 && !names(activePods(rs.metadata.uid)).includes(first), 'replacement');
  await h!.kubelet.bind(second);
  await h!.cluster.client.pods.delete(NS, second);
  await waitFor(() => activePods(rs.metadata.uid).length === 2 && !names(activePods(rs.metadata.uid)).includes(second), 'replacement of the terminating pod');
  assert.ok(allPods().find((p) => p.metadata?.name === second)?.metadata?.deletionTimestamp, 'the old pod is still terminating');
  await settle();
  assert.equal(activePods(rs.metadata.uid).length, 2);
});

test('orphans matching the selector are adopted and count; owned pods that stop matching are released', async () => {
  await start();
  const orphan: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: NS, labels: { tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  await h!.cluster.client.resource(REFS.pods).create(NS, orphan);
  const other: Pod = { ...orphan, metadata: { name: 'other', namespace: NS, labels: { tier: 'db' } } };
  await h!.cluster.client.resource(REFS.pods).create(NS, other);
  const rs = await createRS({ replicas: 2 });
  await waitFor(() => activePods(rs.metadata.uid).length === 2, '2 owned pods');
  await settle();
  const owned = names(activePods(rs.metadata.uid));
  assert.equal(owned.length, 2);
  assert.ok(owned.includes('orphan'), 'the orphan is adopted');
  assert.equal(allPods().find((p) => p.metadata?.name === 'other')?.metadata?.ownerReferences, undefined, 'a pod that does not match is left alone');

  await h!.cluster.client.pods.patch(NS, 'orphan', 'merge', { metadata: { labels: { tier: 'debug' } } });
  await waitFor(() => {
    const pod = allPods().find((p) => p.metadata?.name === 'orphan');
    return !pod?.metadata?.ownerReferences?.length && activePods(rs.metadata.uid).length === 2;
  }, 'orphan released and replaced');
  assert.ok(!names(activePods(rs.metadata.uid)).includes('orphan'));
});

test('readyReplicas and availableReplicas follow readiness and minReadySeconds', async () => {
  const clock = new VirtualClock();
  await start('ReplicaSet', clock);
  const rs = await createRS({ replicas: 2, minReadySeconds: 10 });
  await waitFor(() => activePods(rs.metadata.uid).length === 2, '2 pods');
  for (const n of names(activePods(rs.metadata.uid))) {
    await h!.kubelet.bind(n);
    await h!.kubelet.markReady(n);
  }
  const ready = await waitFor(async () => {
    const s = (await getRS()).status;
    return s?.readyReplicas === 2 ? s : undefined;
  }, 'readyReplicas 2');
  assert.equal(ready!.availableReplicas, undefined, 'not available before minReadySeconds');
  await clock.advance(5_000);
  await settle();
  assert.equal((await getRS()).status?.availableReplicas, undefined);
  await clock.advance(6_000);
  await waitFor(async () => (await getRS()).status?.availableReplicas === 2, 'availableReplicas 2 after minReadySeconds');
  assert.deepEqual((await getRS()).status, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
});

test('fullyLabeledReplicas counts only pods carrying all the template labels', async () => {
  await start();
  const rs = await createRS({ replicas: 2 });
  await waitFor(() => activePods(rs.metadata.uid).length === 2, '2 pods');
  const [one] = names(activePods(rs.metadata.uid));
  // Still selected (tier=web) but without the template's app label.
  await h!.cluster.client.pods.patch(NS, one, 'merge', { metadata: { labels: { app: null } } });
  await waitFor(async () => (await getRS()).status?.fullyLabeledReplicas === 1, 'fullyLabeledReplicas 1');
  assert.equal((await getRS()).status?.replicas, 2);
});

test('a ReplicationController with a map selector is driven the same way', async () => {
  await start('ReplicationController');
  const rc: ReplicationController = {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'nginx', namespace: NS },
    spec: { replicas: 2, selector: { app: 'nginx' }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  };
  const created = await h!.cluster.client.resource(RCS).create(NS, rc);
  await waitFor(() => activePods(created.metadata.uid).length === 2, '2 pods');
  const pod = activePods(created.metadata.uid)[0];
  assert.match(pod.metadata!.name!, /^nginx-[a-z0-9]{5}$/);
  assert.deepEqual(pod.metadata!.ownerReferences, [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'nginx', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  await waitFor(async () => (await h!.cluster.client.resource(RCS).get(NS, 'nginx')).status?.replicas === 2, 'rc status.replicas 2');
  await h!.cluster.client.resource(RCS).patch(NS, 'nginx', 'merge', { spec: { replicas: 1 } });
  await waitFor(() => activePods(created.metadata.uid).length === 1, 'scaled down to 1');
  await waitFor(async () => (await events('ReplicationController')).some((e) => e.startsWith('Normal SuccessfulDelete Deleted pod: nginx-')), 'delete event');
});

test('a failed create sets ReplicaFailure FailedCreate with the error, and success removes it', async () => {
  await start();
  await createRS({ replicas: 3, template: template({ serviceAccountName: 'builder' }) });
  const failed = (await waitFor(async () => (await getRS()).status?.conditions?.find((c) => c.type === 'ReplicaFailure'), 'ReplicaFailure'))!;
  assert.equal(failed.status, 'True');
  assert.equal(failed.reason, 'FailedCreate');
  assert.match(failed.message!, /service account default\/builder was not found/);
  assert.ok(failed.lastTransitionTime);
  const warnings = (await events('ReplicaSet')).filter((e) => e.startsWith('Warning FailedCreate Error creating: '));
  assert.ok(warnings.length >= 1 && warnings[0].includes('service account default/builder was not found'), String(warnings));

  await h!.cluster.client.resource(REFS.serviceaccounts).create(NS, { metadata: { name: 'builder', namespace: NS } });
  const rs = await getRS();
  await waitFor(() => activePods(rs.metadata.uid).length === 3, '3 pods once the service account exists', 10_000);
  await waitFor(async () => !(await getRS()).status?.conditions, 'ReplicaFailure removed');
});

test('a set being deleted creates no pods', async () => {
  await start();
  await h!.cluster.client.resource(REFS.replicasets).create(NS, { ...frontend({ replicas: 0 }), metadata: { name: 'frontend', namespace: NS, finalizers: ['example.com/hold'] } });
  await h!.cluster.client.resource(REFS.replicasets).delete(NS, 'frontend');
  const rs = await getRS();
  assert.ok(rs.metadata.deletionTimestamp);
  await scale(2);
  await settle(300);
  assert.equal(activePods(rs.metadata.uid).length, 0);
  await h!.cluster.client.resource(REFS.replicasets).patch(NS, 'frontend', 'merge', { metadata: { finalizers: null } });
});
