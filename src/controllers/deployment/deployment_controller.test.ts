import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { REFS } from '../../client/client.js';
import { deploymentEvents, getDeployment, type Harness, IMAGE_2, NS, patchSpec, replicaSets, rolledOut, setImage, settle, sizes, start, until, webDeployment } from './harness.js';

let h: Harness;
afterEach(() => h?.stop());

const HASH = /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/;

test('a new deployment gets one replica set web-<hash> with the hash label, revision 1, and a complete status', async () => {
  h = await start();
  const d = await h.cluster.client.resource(REFS.deployments).create(NS, webDeployment({}, { 'kubernetes.io/change-cause': 'first' }));
  await until(h, () => rolledOut(h), 'rollout');
  const [rs, ...rest] = await replicaSets(h);
  assert.equal(rest.length, 0);
  const hash = rs.metadata!.labels!['pod-template-hash'];
  assert.match(hash, HASH);
  assert.equal(rs.metadata!.name, `web-${hash}`);
  assert.deepEqual(rs.metadata!.labels, { app: 'nginx', 'pod-template-hash': hash });
  assert.deepEqual(rs.spec!.selector, { matchLabels: { app: 'nginx', 'pod-template-hash': hash } });
  assert.deepEqual(rs.spec!.template!.metadata!.labels, { app: 'nginx', 'pod-template-hash': hash });
  assert.equal(rs.spec!.replicas, 3);
  assert.deepEqual(rs.metadata!.annotations, {
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3',
    'deployment.kubernetes.io/max-replicas': '4', // 3 + ceil(25% of 3)
    'kubernetes.io/change-cause': 'first',
  });
  assert.deepEqual(rs.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }]);

  const got = await getDeployment(h);
  assert.equal(got.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
  const { conditions, ...counts } = got.status!;
  assert.deepEqual(counts, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
  assert.deepEqual(
    conditions!.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      // Progressing is re-added on every step, so it ends last, as on a real cluster.
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "web-${hash}" has successfully progressed.`],
    ],
  );
  assert.deepEqual(await deploymentEvents(h), [`Normal ScalingReplicaSet Scaled up replica set web-${hash} from 0 to 3`]);
});

test('while replicas are unavailable: Available False with MinimumReplicasUnavailable, unavailableReplicas counted', async () => {
  h = await start();
  h.rsc.unavailable = () => 2;
  await h.cluster.client.resource(REFS.deployments).create(NS, webDeployment());
  await until(h, async () => (await getDeployment(h)).status?.unavailableReplicas === 2, 'unavailable 2');
  const d = await getDeployment(h);
  assert.deepEqual([d.status!.replicas, d.status!.updatedReplicas, d.status!.availableReplicas, d.status!.readyReplicas], [3, 3, 1, 1]);
  const available = d.status!.conditions!.find((c) => c.type === 'Available')!;
  assert.deepEqual([available.status, available.reason, available.message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
  assert.equal(d.status!.conditions!.find((c) => c.type === 'Progressing')!.reason, 'ReplicaSetUpdated');
  assert.equal(await rolledOut(h), false);
});

test('scaling a complete deployment resizes its replica set and records the event', async () => {
  h = await start();
  await h.cluster.client.resource(REFS.deployments).create(NS, webDeployment());
  await until(h, () => rolledOut(h), 'rollout');
  await patchSpec(h, { replicas: 5 });
  await until(h, () => rolledOut(h), 'scaled up');
  const [rs] = await replicaSets(h);
  assert.equal(rs.spec!.replicas, 5);
  assert.equal(rs.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '5');
  assert.equal(rs.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '7');
  await patchSpec(h, { replicas: 2 });
  await until(h, () => rolledOut(h), 'scaled down');
  const name = rs.metadata!.name;
  assert.deepEqual(await deploymentEvents(h), [
    `Normal ScalingReplicaSet Scaled up replica set ${name} from 0 to 3`,
    `Normal ScalingReplicaSet Scaled up replica set ${name} from 3 to 5`,
    `Normal ScalingReplicaSet Scaled down replica set ${name} from 5 to 2`,
  ]);
});

test('paused: a template change makes no replica set, scaling still applies, resuming rolls out', async () => {
  h = await start();
  await h.cluster.client.resource(REFS.deployments).create(NS, webDeployment());
  await until(h, () => rolledOut(h), 'rollout');
  await patchSpec(h, { paused: true });
  const progressing = async () => (await getDeployment(h)).status?.conditions?.find((c) => c.type === 'Progressing');
  await until(h, async () => (await progressing())?.reason === 'DeploymentPaused', 'DeploymentPaused');
  assert.equal((await progressing())!.status, 'Unknown');
  assert.equal((await progressing())!.message, 'Deployment is paused');
  await setImage(h, IMAGE_2);
  await patchSpec(h, { replicas: 4 });
  await until(h, async () => (await sizes(h))[0] === 4, 'scaled while paused');
  await settle(h);
  assert.deepEqual(await sizes(h), [4]);
  const paused = await getDeployment(h);
  assert.equal(paused.status!.observedGeneration, paused.metadata!.generation);

  const reasons: string[] = ['DeploymentPaused'];
  h.cluster.informers.get(REFS.deployments).addHandler({
    update: (_old, cur) => {
      const reason = cur.status?.conditions?.find((c) => c.type === 'Progressing')?.reason;
      if (reason && reasons.at(-1) !== reason) reasons.push(reason);
    },
  });
  await patchSpec(h, { paused: false });
  await until(h, async () => (await replicaSets(h)).length === 2, 'new replica set after resume');
  await until(h, () => rolledOut(h), 'rollout after resume');
  assert.deepEqual(await sizes(h), [0, 4]);
  assert.equal(reasons[1], 'DeploymentResumed');
  assert.equal(reasons.at(-1), 'NewReplicaSetAvailable');
  const [, newRS] = await replicaSets(h);
  assert.equal(newRS.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
  assert.ok((await deploymentEvents(h)).includes(`Normal ScalingReplicaSet Scaled up replica set ${newRS.metadata!.name} from 0 to 1`));
});

test('minReadySeconds is carried to the replica set, also when it changes later', async () => {
  h = await start();
  await h.cluster.client.resource(REFS.deployments).create(NS, webDeployment({ minReadySeconds: 5 }));
  await until(h, () => rolledOut(h), 'rollout');
  assert.equal((await replicaSets(h))[0].spec!.minReadySeconds, 5);
  await patchSpec(h, { minReadySeconds: 10 });
  await until(h, async () => (await replicaSets(h))[0].spec!.minReadySeconds === 10, 'minReadySeconds 10');
  assert.equal((await replicaSets(h)).length, 1, 'not a template change');
});

test('an orphan replica set the selector matches is adopted and, with the same template, becomes the new one', async () => {
  h = await start();
  const d = webDeployment();
  const template = structuredClone(d.spec!.template);
  template.metadata!.labels!['pod-template-hash'] = 'orphan';
  await h.cluster.client.resource(REFS.replicasets).create(NS, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-orphan', namespace: NS, labels: { app: 'nginx', 'pod-template-hash': 'orphan' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'nginx', 'pod-template-hash': 'orphan' } }, template },
  });
  const created = await h.cluster.client.resource(REFS.deployments).create(NS, d);
  await until(h, () => rolledOut(h), 'rollout');
  const list = await replicaSets(h);
  assert.deepEqual(list.map((rs) => rs.metadata!.name), ['web-orphan']);
  assert.equal(list[0].metadata!.ownerReferences?.[0]?.uid, created.metadata.uid);
  assert.equal(list[0].spec!.replicas, 3);
  assert.equal(list[0].metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
});
