import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { REFS } from '../../client/client.js';
import { getPod, getSet, NS, patchSpec, podNames, settle, startController, waitFor, webSet, type Harness } from '../../testing/statefulset.js';

let h: Harness;
afterEach(() => h?.stop());

const create = (spec = {}) => h.cluster.client.statefulSets.create(NS, webSet(spec));

test('OrderedReady creates web-0 and waits until it is Running and Ready before web-1', async () => {
  h = await startController();
  await create({ replicas: 3 });
  await waitFor(() => getPod(h, 'web-0'), 'web-0');
  await settle();
  assert.deepEqual(podNames(h), ['web-0']);
  await h.kubelet.markReady('web-0', false); // Running but not Ready still blocks
  await settle();
  assert.deepEqual(podNames(h), ['web-0']);
  await h.kubelet.markReady('web-0');
  await waitFor(() => getPod(h, 'web-1'), 'web-1');
  await settle();
  assert.deepEqual(podNames(h), ['web-0', 'web-1']);
  await h.kubelet.markReady('web-1');
  await waitFor(() => getPod(h, 'web-2'), 'web-2');
  await h.kubelet.markReady('web-2');
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 3, 'readyReplicas 3');
  assert.deepEqual(
    h.podEvents.filter((e) => e.startsWith('ADDED')),
    ['ADDED web-0', 'ADDED web-1', 'ADDED web-2'],
  );
});

test('pods carry the identity labels, hostname, subdomain, controllerRef and their claims', async () => {
  h = await startController();
  const set = await create({ replicas: 1 });
  const pod = (await waitFor(() => getPod(h, 'web-0'), 'web-0'))!;
  const status = (await waitFor(async () => (await getSet(h)).status, 'status'))!;
  const labels = pod.metadata!.labels!;
  assert.equal(labels['statefulset.kubernetes.io/pod-name'], 'web-0');
  assert.equal(labels['apps.kubernetes.io/pod-index'], '0');
  assert.equal(labels.app, 'nginx');
  assert.match(labels['controller-revision-hash'], /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(labels['controller-revision-hash'], status.updateRevision);
  assert.equal(pod.metadata!.generateName, 'web-');
  assert.equal(pod.spec!.hostname, 'web-0');
  assert.equal(pod.spec!.subdomain, 'nginx');
  assert.deepEqual(pod.metadata!.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true },
  ]);
  assert.deepEqual(pod.spec!.volumes!.find((v) => v.name === 'www')?.persistentVolumeClaim, { claimName: 'www-web-0' });
  const claim = await h.cluster.client.persistentVolumeClaims.get(NS, 'www-web-0');
  assert.deepEqual(claim.metadata.labels, { app: 'nginx' });
  assert.equal(claim.metadata.ownerReferences, undefined, 'Retain/Retain leaves claims unowned');
  assert.ok(Date.parse(claim.metadata.creationTimestamp) <= Date.parse(pod.metadata!.creationTimestamp!));
});

test('events: claim and pod creation, pod deletion, with upstream texts', async () => {
  h = await startController();
  await create({ replicas: 1 });
  await waitFor(() => getPod(h, 'web-0'), 'web-0');
  await h.kubelet.markReady('web-0');
  await patchSpec(h, { replicas: 0 });
  await waitFor(() => !getPod(h, 'web-0'), 'web-0 deleted');
  const setEvents = async () =>
    (await h.cluster.client.resource(REFS.events).list(NS)).items
      .filter((e) => e.involvedObject.kind === 'StatefulSet')
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .map((e) => `${e.type} ${e.reason} ${e.message}`);
  await waitFor(async () => (await setEvents()).length >= 3, 'events');
  await settle();
  const messages = await setEvents();
  assert.deepEqual(messages, [
    'Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success',
    'Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful',
    'Normal SuccessfulDelete delete Pod web-0 in StatefulSet web successful',
  ]);
});

test('scale-down removes the highest ordinal first, one at a time, waiting for each to be gone', async () => {
  h = await startController();
  h.kubelet.auto = true;
  h.kubelet.holdDeletion = true;
  await create({ replicas: 3 });
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 3, 'three ready');
  h.podEvents.length = 0;
  await patchSpec(h, { replicas: 1 });
  await waitFor(() => getPod(h, 'web-2')?.metadata?.deletionTimestamp, 'web-2 terminating');
  await settle();
  assert.equal(getPod(h, 'web-1')?.metadata?.deletionTimestamp, undefined, 'web-1 waits for web-2 to be gone');
  await h.kubelet.finishDeletion('web-2');
  await waitFor(() => getPod(h, 'web-1')?.metadata?.deletionTimestamp, 'web-1 terminating');
  await h.kubelet.finishDeletion('web-1');
  await waitFor(() => podNames(h).length === 1, 'one pod left');
  assert.deepEqual(podNames(h), ['web-0']);
  assert.deepEqual(
    h.podEvents.filter((e) => e.startsWith('DELETED')),
    ['DELETED web-2', 'DELETED web-1'],
  );
  const claims = (await h.cluster.client.resource(REFS.persistentvolumeclaims).list(NS)).items.map((c) => c.metadata.name).sort();
  assert.deepEqual(claims, ['www-web-0', 'www-web-1', 'www-web-2'], 'claims are kept under Retain');
});

test('scaling halts while a lower pod is unready, and resumes when it is Ready again', async () => {
  h = await startController();
  h.kubelet.auto = true;
  await create({ replicas: 3 });
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 3, 'three ready');
  await h.kubelet.markReady('web-0', false);
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 2, 'web-0 unready observed');
  await patchSpec(h, { replicas: 5 });
  await settle(250);
  assert.deepEqual(podNames(h), ['web-0', 'web-1', 'web-2'], 'no scale-up past an unready pod');
  await patchSpec(h, { replicas: 1 });
  await settle(250);
  assert.deepEqual(podNames(h), ['web-0', 'web-1', 'web-2'], 'no scale-down while an in-range pod is unready');
  await h.kubelet.markReady('web-0');
  await waitFor(() => podNames(h).length === 1, 'scale-down resumes');
  assert.deepEqual(podNames(h), ['web-0']);
});

test('an unready condemned pod is deleted only once it is the lowest unavailable pod', async () => {
  h = await startController();
  h.kubelet.auto = true;
  await create({ replicas: 3 });
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 3, 'three ready');
  await h.kubelet.markReady('web-1', false);
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 2, 'web-1 unready observed');
  h.podEvents.length = 0;
  await patchSpec(h, { replicas: 1 });
  await waitFor(() => podNames(h).length === 1, 'scaled down to one');
  assert.deepEqual(
    h.podEvents.filter((e) => e.startsWith('DELETED')),
    ['DELETED web-2', 'DELETED web-1'],
  );
});

test('a missing lower ordinal is recreated even while a higher one is unready', async () => {
  h = await startController();
  h.kubelet.auto = true;
  await create({ replicas: 2 });
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 2, 'two ready');
  await h.kubelet.markReady('web-1', false);
  const uid = getPod(h, 'web-0')!.metadata!.uid;
  await h.cluster.client.pods.delete(NS, 'web-0');
  await waitFor(() => getPod(h, 'web-0') && getPod(h, 'web-0')!.metadata!.uid !== uid, 'web-0 recreated');
});

test('Parallel creates and deletes all pods at once, ready or not', async () => {
  h = await startController();
  await create({ replicas: 3, podManagementPolicy: 'Parallel' });
  await waitFor(() => podNames(h).length === 3, 'three pods without any Ready');
  assert.deepEqual(podNames(h), ['web-0', 'web-1', 'web-2']);
  await patchSpec(h, { replicas: 5 });
  await waitFor(() => podNames(h).length === 5, 'five pods');
  for (const name of ['web-0', 'web-1', 'web-2', 'web-3', 'web-4']) await h.kubelet.bind(name);
  await patchSpec(h, { replicas: 0 });
  await waitFor(() => podNames(h).every((n) => getPod(h, n)?.metadata?.deletionTimestamp), 'all five terminating together');
  for (const name of podNames(h)) await h.kubelet.finishDeletion(name);
  await waitFor(async () => (await getSet(h)).status?.replicas === 0, 'status.replicas 0');
});

test('Failed pods are deleted and recreated under the same name', async () => {
  h = await startController();
  h.kubelet.auto = true;
  await create({ replicas: 1 });
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 1, 'ready');
  const uid = getPod(h, 'web-0')!.metadata!.uid;
  await h.kubelet.markPhase('web-0', 'Failed');
  await waitFor(() => getPod(h, 'web-0') && getPod(h, 'web-0')!.metadata!.uid !== uid, 'web-0 recreated');
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 1, 'ready again');
});

test('a claim being deleted blocks pod creation', async () => {
  h = await startController();
  await h.cluster.client.persistentVolumeClaims.create(NS, {
    metadata: { name: 'www-web-0', finalizers: ['kubernetes.io/pvc-protection'] },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  await h.cluster.client.persistentVolumeClaims.delete(NS, 'www-web-0');
  await create({ replicas: 1 });
  await settle(200);
  assert.equal(getPod(h, 'web-0'), undefined);
  const events = (await h.cluster.client.resource(REFS.events).list(NS)).items.map((e) => `${e.reason} ${e.message}`);
  assert.ok(events.includes('FailedCreate create Pod web-0 in StatefulSet web failed error: pvc www-web-0 is being deleted'), events.join('\n'));
});

test('identity drift is repaired by a pod update that restores the labels', async () => {
  h = await startController();
  h.kubelet.auto = true;
  await create({ replicas: 1 });
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 1, 'ready');
  const uid = getPod(h, 'web-0')!.metadata!.uid;
  await h.cluster.client.pods.patch(NS, 'web-0', 'merge', { metadata: { labels: { 'statefulset.kubernetes.io/pod-name': null } } });
  await waitFor(() => getPod(h, 'web-0')?.metadata?.labels?.['statefulset.kubernetes.io/pod-name'] === 'web-0', 'label restored');
  assert.equal(getPod(h, 'web-0')!.metadata!.uid, uid, 'updated in place, not recreated');
  await waitFor(
    async () => (await h.cluster.client.resource(REFS.events).list(NS)).items.some((e) => `${e.reason} ${e.message}` === 'SuccessfulUpdate update Pod web-0 in StatefulSet web successful'),
    'SuccessfulUpdate event',
  );
});
