import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import {
  getPod,
  getSet,
  imageOf,
  NS,
  patchSpec,
  podNames,
  setImage,
  settle,
  startController,
  statusWhen,
  waitFor,
  webSet,
  type Harness,
} from '../../testing/statefulset.js';

let h: Harness;
afterEach(() => h?.stop());

const OLD = 'registry.k8s.io/nginx-slim:0.24';
const NEW = 'registry.k8s.io/nginx-slim:0.24.1';

async function readySet(spec = {}): Promise<void> {
  h = await startController();
  h.kubelet.auto = true;
  await h.cluster.client.statefulSets.create(NS, webSet({ replicas: 3, ...spec }));
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 3, 'three ready');
}

const revisions = async (): Promise<ControllerRevision[]> =>
  (await h.cluster.client.controllerRevisions.list(NS)).items.sort((a: ControllerRevision, b: ControllerRevision) => a.revision - b.revision);

const images = () => podNames(h).map((n) => imageOf(getPod(h, n)));

test('RollingUpdate replaces pods in reverse ordinal order, one at a time, waiting for Ready', async () => {
  await readySet();
  const before = await getSet(h);
  h.kubelet.unready.add('web-2');
  h.podEvents.length = 0;
  await setImage(h, NEW);
  await waitFor(() => imageOf(getPod(h, 'web-2')) === NEW, 'web-2 updated');
  await settle(200);
  assert.equal(imageOf(getPod(h, 'web-1')), OLD, 'web-1 waits for the updated web-2 to be Ready');
  assert.equal(getPod(h, 'web-1')?.metadata?.deletionTimestamp, undefined);
  await h.kubelet.markReady('web-2');
  await statusWhen(h, (s) => s.updatedReplicas === 3 && s.readyReplicas === 3 && s.currentRevision === s.updateRevision, 'rollout complete');
  assert.deepEqual(images(), [NEW, NEW, NEW]);
  assert.deepEqual(
    h.podEvents.filter((e) => e.startsWith('DELETED')),
    ['DELETED web-2', 'DELETED web-1', 'DELETED web-0'],
  );
  const after = await getSet(h);
  assert.notEqual(after.status!.updateRevision, before.status!.updateRevision);
  assert.equal(after.status!.currentReplicas, 3);
  assert.equal(after.status!.observedGeneration, after.metadata!.generation);
  assert.equal(after.status!.collisionCount, 0);
  for (const n of podNames(h)) assert.equal(getPod(h, n)!.metadata!.labels!['controller-revision-hash'], after.status!.updateRevision);
});

test('partition: only ordinals at or above it update; a deleted pod below it returns at the current revision; phased roll-out to 0', async () => {
  await readySet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  const current = (await getSet(h)).status!.currentRevision;
  await setImage(h, NEW);
  await waitFor(() => imageOf(getPod(h, 'web-2')) === NEW && getPod(h, 'web-2')?.status?.phase === 'Running', 'canary web-2');
  await settle();
  assert.deepEqual(images(), [OLD, OLD, NEW]);
  let status = await statusWhen(h, (s) => s.updatedReplicas === 1 && s.readyReplicas === 3, 'canary status');
  assert.equal(status.currentReplicas, 2);
  assert.equal(status.currentRevision, current);
  assert.notEqual(status.updateRevision, current);

  const uid = getPod(h, 'web-1')!.metadata!.uid;
  await h.cluster.client.pods.delete(NS, 'web-1');
  await waitFor(() => getPod(h, 'web-1') && getPod(h, 'web-1')!.metadata!.uid !== uid, 'web-1 recreated');
  assert.equal(imageOf(getPod(h, 'web-1')), OLD, 'restored at the current revision');
  assert.equal(getPod(h, 'web-1')!.metadata!.labels!['controller-revision-hash'], current);

  await patchSpec(h, { updateStrategy: { rollingUpdate: { partition: 1 } } });
  await waitFor(() => imageOf(getPod(h, 'web-1')) === NEW, 'web-1 updated at partition 1');
  await settle();
  assert.equal(imageOf(getPod(h, 'web-0')), OLD);
  await patchSpec(h, { updateStrategy: { rollingUpdate: { partition: 0 } } });
  status = await statusWhen(h, (s) => s.updatedReplicas === 3 && s.readyReplicas === 3 && s.currentRevision === s.updateRevision, 'phased roll-out complete');
  assert.deepEqual(images(), [NEW, NEW, NEW]);
  assert.equal(status.currentReplicas, 3);
});

test('OnDelete replaces only pods that were deleted, and currentRevision stays behind', async () => {
  await readySet({ updateStrategy: { type: 'OnDelete' } });
  const current = (await getSet(h)).status!.currentRevision;
  await setImage(h, NEW);
  const status = await statusWhen(h, (s) => s.updateRevision !== current, 'update revision');
  await settle(200);
  assert.deepEqual(images(), [OLD, OLD, OLD]);
  await h.cluster.client.pods.delete(NS, 'web-1');
  await waitFor(() => imageOf(getPod(h, 'web-1')) === NEW, 'web-1 recreated at the update revision');
  for (const n of ['web-0', 'web-2']) await h.cluster.client.pods.delete(NS, n);
  await waitFor(() => images().every((i) => i === NEW) && images().length === 3, 'all recreated');
  const final = await statusWhen(h, (s) => s.updatedReplicas === 3 && s.readyReplicas === 3, 'all updated');
  assert.equal(final.currentRevision, current, 'OnDelete never promotes the update revision');
  assert.equal(final.updateRevision, status.updateRevision);
});

test('rollback to an earlier template reuses its ControllerRevision and bumps its revision number', async () => {
  await readySet();
  const first = (await getSet(h)).status!.updateRevision;
  assert.deepEqual(
    (await revisions()).map((r) => [r.metadata!.name, r.revision]),
    [[first, 1]],
  );
  await setImage(h, NEW);
  await waitFor(async () => (await getSet(h)).status?.currentRevision !== first && images().every((i) => i === NEW), 'rolled out');
  const second = (await getSet(h)).status!.updateRevision;

  // What `kubectl rollout undo` sends: the earlier revision's data as a strategic merge patch.
  const old = (await revisions()).find((r) => r.metadata!.name === first)!;
  await h.cluster.client.statefulSets.patch(NS, 'web', 'strategic', old.data);
  await statusWhen(h, (s) => s.updateRevision === first && s.currentRevision === first && images().every((i) => i === OLD), 'rolled back');
  assert.deepEqual(
    (await revisions()).map((r) => [r.metadata!.name, r.revision]),
    [
      [second, 2],
      [first, 3],
    ],
  );
});

test('a revision records the template only: scaling and partition changes create none', async () => {
  await readySet();
  const rev = (await revisions())[0];
  assert.deepEqual(rev.metadata!.ownerReferences!.map((r) => [r.kind, r.name, r.controller, r.blockOwnerDeletion]), [['StatefulSet', 'web', true, true]]);
  const hash = rev.metadata!.labels!['controller.kubernetes.io/hash'];
  assert.equal(rev.metadata!.name, `web-${hash}`);
  assert.equal(rev.metadata!.labels!.app, 'nginx');
  const template = (rev.data as { spec: { template: PodTemplateSpec & { $patch?: string } } }).spec.template;
  assert.equal(template.$patch, 'replace');
  assert.equal(template.spec?.containers[0].image, OLD);
  await patchSpec(h, { replicas: 4, updateStrategy: { rollingUpdate: { partition: 1 } }, minReadySeconds: 0 });
  await waitFor(async () => (await getSet(h)).status?.readyReplicas === 4, 'four ready');
  const after = await revisions();
  assert.deepEqual(
    after.map((r) => r.metadata!.name),
    [rev.metadata!.name],
  );
  const set = await getSet(h);
  assert.equal(set.status!.observedGeneration, set.metadata!.generation);
  assert.equal(set.metadata!.generation, 2);
});

test('revisionHistoryLimit keeps at most that many revisions no pod uses', async () => {
  await readySet({ revisionHistoryLimit: 1 });
  const names = [(await getSet(h)).status!.updateRevision];
  for (const tag of ['0.25', '0.26', '0.27']) {
    await setImage(h, `registry.k8s.io/nginx-slim:${tag}`);
    const previous = names[names.length - 1];
    const s = await statusWhen(
      h,
      (st) => st.updateRevision !== previous && st.currentRevision === st.updateRevision && st.updatedReplicas === 3 && st.readyReplicas === 3,
      `rolled out ${tag}`,
    );
    names.push(s.updateRevision!);
  }
  // Truncation runs at the end of each sync; one more sync settles it.
  await patchSpec(h, { replicas: 3, minReadySeconds: 0, revisionHistoryLimit: 1 });
  await waitFor(async () => (await revisions()).length === 2, 'two revisions left');
  assert.deepEqual(
    (await revisions()).map((r) => r.metadata!.name),
    names.slice(2),
  );
});
