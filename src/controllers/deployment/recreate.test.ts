import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { REFS } from '../../client/client.js';
import { computeHash } from './deployment_util.js';
import { deploymentEvents, getDeployment, type Harness, IMAGE_1, IMAGE_2, NS, replicaSets, rolledOut, setImage, settle, sizes, start, until, webDeployment } from './harness.js';

let h: Harness;
afterEach(() => h?.stop());

test('Recreate: old replica sets go to 0, the new one is created only once no old pod runs', async () => {
  h = await start();
  await h.cluster.client.resource(REFS.deployments).create(NS, webDeployment({ strategy: { type: 'Recreate' } }));
  await until(h, () => rolledOut(h), 'rollout 1');
  const [old] = await replicaSets(h);
  // The old pods take a while to terminate: their replica set still reports them.
  h.rsc.hold = (rs) => rs.metadata!.uid === old.metadata!.uid;
  await setImage(h, IMAGE_2);
  await until(h, async () => (await sizes(h)).join() === '0', 'old scaled to 0');
  await settle(h);
  assert.equal((await replicaSets(h)).length, 1, 'no new replica set while old pods run');
  assert.equal((await replicaSets(h))[0].status!.replicas, 3);

  h.rsc.hold = () => false;
  await h.rsc.resync();
  await until(h, () => rolledOut(h), 'rollout 2');
  const [, created] = await replicaSets(h);
  assert.deepEqual(await sizes(h), [0, 3]);
  assert.equal(created.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
  assert.equal(created.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '3', 'no surge under Recreate');
  assert.deepEqual((await deploymentEvents(h)).slice(1), [
    `Normal ScalingReplicaSet Scaled down replica set ${old.metadata!.name} from 3 to 0`,
    `Normal ScalingReplicaSet Scaled up replica set ${created.metadata!.name} from 0 to 3`,
  ]);
});

test('a replica set of another owner under the new name is a hash collision: collisionCount goes up, the hash changes', async () => {
  h = await start();
  const d = webDeployment();
  // The hash of the template as stored (the server fills in the pod template defaults).
  const probe = await h.cluster.client.resource(REFS.deployments).create('kube-public', { ...d, metadata: { ...d.metadata, namespace: 'kube-public' }, spec: { ...d.spec!, paused: true } });
  const hash = computeHash(probe.spec!.template);
  const squatter: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `web-${hash}`, namespace: NS, labels: { app: 'other' } },
    spec: { replicas: 0, selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'c', image: IMAGE_1 }] } } },
  };
  await h.cluster.client.resource(REFS.replicasets).create(NS, squatter);
  await h.cluster.client.resource(REFS.deployments).create(NS, d);
  await until(h, () => rolledOut(h), 'rollout');
  const status = (await getDeployment(h)).status!;
  assert.equal(status.collisionCount, 1);
  const mine = (await replicaSets(h)).filter((rs) => rs.metadata!.ownerReferences?.length);
  assert.equal(mine.length, 1);
  assert.equal(mine[0].metadata!.name, `web-${computeHash(probe.spec!.template, 1)}`);
});
