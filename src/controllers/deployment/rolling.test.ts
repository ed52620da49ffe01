import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { REFS } from '../../client/client.js';
import { deploymentEvents, getDeployment, type Harness, IMAGE_1, IMAGE_2, IMAGE_3, NS, patchSpec, replicaSets, rolledOut, setImage, settle, sizes, start, until, webDeployment } from './harness.js';

let h: Harness;
afterEach(() => h?.stop());

const rolling = (replicas: number, extra = {}) =>
  webDeployment({ replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, ...extra });

const isImage = (image: string) => (rs: ReplicaSet) => rs.spec?.template?.spec?.containers[0].image === image;

/** Every (old, new) pair of spec sizes the replica sets pass through. */
function recordSizes(h: Harness): Array<[number, number]> {
  const seen: Array<[number, number]> = [];
  h.cluster.informers.get(REFS.replicasets).addHandler({
    update: () => {
      const list = h.cluster.informers.get(REFS.replicasets).list();
      const size = (image: string) => list.filter(isImage(image)).reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
      seen.push([size(IMAGE_1), size(IMAGE_2)]);
    },
  });
  return seen;
}

test('RollingUpdate of 10 replicas at 25%/25%: at most 13 pods, at least 8 available, new replica set at revision 2', async () => {
  h = await start();
  await h.cluster.client.resource(REFS.deployments).create(NS, rolling(10));
  await until(h, () => rolledOut(h), 'first rollout');
  const seen = recordSizes(h);
  h.rsc.unavailable = (rs) => (isImage(IMAGE_2)(rs) ? (rs.spec?.replicas ?? 0) : 0);
  await setImage(h, IMAGE_2);
  // New pods never become available: 3 surge, 2 old scaled down, 2 more new, then stuck.
  await until(h, async () => (await sizes(h)).join() === '8,5', 'old 8 / new 5');
  await settle(h);
  assert.deepEqual(await sizes(h), [8, 5]);
  const stuck = await getDeployment(h);
  assert.deepEqual([stuck.status!.replicas, stuck.status!.updatedReplicas, stuck.status!.availableReplicas, stuck.status!.unavailableReplicas], [13, 5, 8, 5]);
  assert.equal(stuck.status!.conditions!.find((c) => c.type === 'Available')!.status, 'True');
  const progressing = stuck.status!.conditions!.find((c) => c.type === 'Progressing')!;
  assert.equal(progressing.reason, 'ReplicaSetUpdated');
  assert.equal(await rolledOut(h), false);

  h.rsc.unavailable = () => 0;
  await h.rsc.resync();
  await until(h, () => rolledOut(h), 'second rollout');
  assert.deepEqual(await sizes(h), [0, 10]);
  assert.ok(seen.length > 0);
  for (const [oldSize, newSize] of seen) assert.ok(oldSize + newSize <= 13, `${oldSize}+${newSize} pods exceed replicas + maxSurge`);
  const [oldRS, newRS] = await replicaSets(h);
  assert.equal(newRS.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
  assert.notEqual(newRS.metadata!.labels!['pod-template-hash'], oldRS.metadata!.labels!['pod-template-hash']);
  assert.equal((await getDeployment(h)).metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
  const events = await deploymentEvents(h);
  const [o, n] = [oldRS.metadata!.name, newRS.metadata!.name];
  assert.deepEqual(events.slice(1, 4), [
    `Normal ScalingReplicaSet Scaled up replica set ${n} from 0 to 3`,
    `Normal ScalingReplicaSet Scaled down replica set ${o} from 10 to 8`,
    `Normal ScalingReplicaSet Scaled up replica set ${n} from 3 to 5`,
  ]);
  assert.match(events.at(-1)!, new RegExp(`^Normal ScalingReplicaSet Scaled down replica set ${o} from [1-7] to 0$`));
});

test('scaling mid-rollout is proportional: 10 -> 20 at old 8 / new 5 gives old 15 / new 10', async () => {
  h = await start();
  await h.cluster.client.resource(REFS.deployments).create(NS, rolling(10));
  await until(h, () => rolledOut(h), 'first rollout');
  h.rsc.unavailable = (rs) => (isImage(IMAGE_2)(rs) ? (rs.spec?.replicas ?? 0) : 0);
  await setImage(h, IMAGE_2);
  await until(h, async () => (await sizes(h)).join() === '8,5', 'old 8 / new 5');
  await patchSpec(h, { replicas: 20 });
  await until(h, async () => (await sizes(h)).join() === '15,10', 'old 15 / new 10');
  await settle(h);
  assert.deepEqual(await sizes(h), [15, 10]);
  for (const rs of await replicaSets(h)) {
    assert.equal(rs.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '20');
    assert.equal(rs.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '25');
  }
});

test('rolling back to the first template reuses its replica set, which gets revision 3', async () => {
  h = await start();
  await h.cluster.client.resource(REFS.deployments).create(NS, rolling(3));
  await until(h, () => rolledOut(h), 'rollout 1');
  const [first] = await replicaSets(h);
  await setImage(h, IMAGE_2);
  await until(h, async () => (await replicaSets(h)).length === 2 && rolledOut(h), 'rollout 2');
  await setImage(h, IMAGE_1); // what `kubectl rollout undo` patches in
  await until(h, async () => (await replicaSets(h)).at(-1)!.metadata!.uid === first.metadata!.uid && rolledOut(h), 'rollback');
  const list = await replicaSets(h);
  assert.equal(list.length, 2);
  const reused = list.at(-1)!;
  assert.equal(reused.metadata!.name, first.metadata!.name);
  assert.equal(reused.metadata!.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(reused.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1');
  assert.deepEqual(await sizes(h), [0, 3]);
  assert.equal((await getDeployment(h)).metadata!.annotations!['deployment.kubernetes.io/revision'], '3');
});

test('revisionHistoryLimit 1: the oldest scaled-down replica sets are deleted', async () => {
  h = await start();
  await h.cluster.client.resource(REFS.deployments).create(NS, rolling(2, { revisionHistoryLimit: 1 }));
  await until(h, () => rolledOut(h), 'rollout 1');
  for (const image of [IMAGE_2, IMAGE_3]) {
    await setImage(h, image);
    await until(h, async () => (await getDeployment(h)).status?.observedGeneration === (await getDeployment(h)).metadata!.generation && rolledOut(h), `rollout of ${image}`);
  }
  await until(h, async () => (await replicaSets(h)).length === 2, 'pruned to 2');
  await settle(h);
  const list = await replicaSets(h);
  assert.deepEqual(list.map((rs) => rs.metadata!.annotations!['deployment.kubernetes.io/revision']), ['2', '3']);
  assert.deepEqual(list.map((rs) => rs.spec!.template!.spec!.containers[0].image), [IMAGE_2, IMAGE_3]);
});

test('no progress for progressDeadlineSeconds: Progressing False ProgressDeadlineExceeded', async () => {
  h = await start();
  await h.cluster.client.resource(REFS.deployments).create(NS, rolling(4, { progressDeadlineSeconds: 60 }));
  await until(h, () => rolledOut(h), 'rollout 1');
  h.rsc.unavailable = (rs) => (isImage(IMAGE_2)(rs) ? (rs.spec?.replicas ?? 0) : 0);
  await setImage(h, IMAGE_2);
  const progressing = async () => (await getDeployment(h)).status?.conditions?.find((c) => c.type === 'Progressing');
  await until(h, async () => (await sizes(h)).join() === '3,2', 'old 3 / new 2');
  await settle(h);
  assert.equal((await progressing())!.status, 'True');
  await h.clock.advance(62_000);
  await until(h, async () => (await progressing())?.reason === 'ProgressDeadlineExceeded', 'deadline exceeded');
  const cond = (await progressing())!;
  const newRS = (await replicaSets(h)).at(-1)!;
  assert.equal(cond.status, 'False');
  assert.equal(cond.message, `ReplicaSet "${newRS.metadata!.name}" has timed out progressing.`);
});

test('ReplicaFailure of the new replica set is copied to the deployment', async () => {
  h = await start();
  h.rsc.unavailable = (rs) => rs.spec?.replicas ?? 0;
  h.rsc.conditions = () => [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota', lastTransitionTime: '2026-01-01T00:00:00Z' }];
  await h.cluster.client.resource(REFS.deployments).create(NS, rolling(2));
  const failure = async () => (await getDeployment(h)).status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  await until(h, failure, 'ReplicaFailure');
  assert.deepEqual(await failure(), {
    type: 'ReplicaFailure',
    status: 'True',
    reason: 'FailedCreate',
    message: 'pods "web-x" is forbidden: exceeded quota',
    lastUpdateTime: '2026-01-01T00:00:00Z',
    lastTransitionTime: '2026-01-01T00:00:00Z',
  });
});

test('an old replica set whose status still reports more available pods than its size is never scaled back up', async () => {
  h = await start();
  await h.cluster.client.resource(REFS.deployments).create(NS, rolling(10));
  await until(h, () => rolledOut(h), 'first rollout');
  const seen = recordSizes(h);
  // The old pods are slow to go: its status keeps saying 10 available after it is scaled down.
  h.rsc.hold = isImage(IMAGE_1);
  await setImage(h, IMAGE_2);
  await until(h, async () => (await sizes(h))[1] === 5, 'new replica set at 5');
  await settle(h);
  const old = seen.map(([o]) => o);
  assert.ok(old.every((n, i) => i === 0 || n <= old[i - 1]), `old sizes ${old.join(' ')}`);
  assert.ok((await sizes(h))[0] <= 8);
});
