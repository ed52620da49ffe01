// The "Updating StatefulSets" part of the StatefulSet basics tutorial, run with the real kubectl: rolling
// update, staged update with a partition, canary, phased roll-out, OnDelete. Asserts on the order of the
// pods watch, on the pods and revisions left behind, and on the set's status after each step.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { StoredList } from '../../src/client/objects.js';
import { startCluster, type Cluster, type Stream } from './harness.js';
import {
  assertReplacedOneAtATime,
  assertRolloutStatus,
  images,
  pods,
  setImage,
  setPartition,
  SIM_ARGS,
  waitForReplacement,
  waitForStatus,
  waitForWatchedReplacement,
  watchRows,
  WEB_YAML,
} from './statefulsets.js';

const V2 = 'gcr.io/google_containers/nginx-slim:0.8';
const V3 = 'k8s.gcr.io/nginx-slim:0.7';
const V4 = 'k8s.gcr.io/nginx-slim:0.9';

describe('StatefulSet updates (tutorial: Updating StatefulSets)', () => {
  let c: Cluster;
  // Revision names as the controller reports them, filled in step by step.
  let r1 = '';
  let r2 = '';
  let r3 = '';

  const watchPods = async (): Promise<Stream> => {
    const w = c.stream(['get', 'pod', '-l', 'app=nginx', '-w']);
    await w.waitFor(/^web-2\s/);
    return w;
  };

  before(async () => {
    c = await startCluster(SIM_ARGS);
    await c.ok(['apply', '-f', c.writeFile('web.yaml', WEB_YAML)]);
    // The tutorial reaches this part with three replicas.
    await c.ok(['scale', 'sts', 'web', '--replicas=3']);
    assertRolloutStatus(await c.ok(['rollout', 'status', 'sts/web']), 'partitioned roll out complete: 3 new pods have been updated...');
    const set = await waitForStatus(c, { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3 });
    r1 = set.status!.currentRevision!;
    assert.equal(set.status!.updateRevision, r1, 'a new set is at one revision');
  });
  after(async () => {
    await c.destroy();
  });

  it('rolls the image out in reverse ordinal order, one Running and Ready pod at a time', async () => {
    // The tutorial's first patch names the default strategy, so a current server changes nothing.
    assert.equal(await c.ok(['patch', 'statefulset', 'web', '-p', '{"spec":{"updateStrategy":{"type":"RollingUpdate"}}}']), 'statefulset.apps/web patched (no change)\n');
    const w = await watchPods();
    try {
      assert.equal(await setImage(c, V2), 'statefulset.apps/web patched\n');
      const status = await c.kubectl(['rollout', 'status', 'sts/web']);
      assert.equal(status.code, 0, status.stderr);
      assertRolloutStatus(status.stdout, 'partitioned roll out complete: 3 new pods have been updated...');
      assert.match(status.stdout, /Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated\.\.\./);
      await waitForWatchedReplacement(w, 'web-0');
      assertReplacedOneAtATime(watchRows(w), ['web-2', 'web-1', 'web-0']);
    } finally {
      w.stop();
    }
    const set = await waitForStatus(c, { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3 });
    r2 = set.status!.updateRevision!;
    assert.notEqual(r2, r1);
    assert.equal(set.status!.currentRevision, r2, 'the finished roll-out is promoted to the current revision');
    for (const [name, p] of await pods(c)) {
      assert.equal(p.image, V2, name);
      assert.equal(p.revision, r2, `${name} carries the full revision name`);
    }
    const revs = await c.json<StoredList<ControllerRevision>>(['get', 'controllerrevisions']);
    assert.deepEqual(revs.items.map((r) => [r.metadata.name, r.revision]).sort(), [[r1, 1], [r2, 2]].sort());
  });

  it('stages an update behind partition 3: nothing rolls, and a deleted pod comes back at the current revision', async () => {
    assert.equal(await setPartition(c, 3), 'statefulset.apps/web patched\n');
    const before = await pods(c);
    assert.equal(await setImage(c, V3), 'statefulset.apps/web patched\n');
    const set = await waitForStatus(c, { replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 0, currentRevision: r2 });
    r3 = set.status!.updateRevision!;
    assert.ok(r3 !== r1 && r3 !== r2, 'the new template is a new revision');
    assert.equal(await c.ok(['rollout', 'status', 'sts/web']), 'partitioned roll out complete: 0 new pods have been updated...\n');
    const now = await pods(c);
    for (const [name, p] of before) assert.equal(now.get(name)!.uid, p.uid, `${name} was not restarted`);

    assert.equal(await c.ok(['delete', 'pod', 'web-2']), 'pod "web-2" deleted\n');
    const web2 = await waitForReplacement(c, 'web-2', before.get('web-2')!.uid);
    assert.equal(web2.image, V2, 'below the partition a deleted pod is restored to the current template');
    assert.equal(web2.revision, r2);
    await waitForStatus(c, { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 0, currentRevision: r2, updateRevision: r3 });
  });

  it('canary: partition 2 updates web-2 only', async () => {
    const before = await pods(c);
    const w = await watchPods();
    try {
      assert.equal(await setPartition(c, 2), 'statefulset.apps/web patched\n');
      assertRolloutStatus(await c.ok(['rollout', 'status', 'sts/web']), 'partitioned roll out complete: 1 new pods have been updated...');
      await waitForWatchedReplacement(w, 'web-2');
      assertReplacedOneAtATime(watchRows(w), ['web-2']);
    } finally {
      w.stop();
    }
    assert.deepEqual(await images(c), { 'web-0': V2, 'web-1': V2, 'web-2': V3 });
    const now = await pods(c);
    assert.equal(now.get('web-2')!.revision, r3);
    for (const name of ['web-0', 'web-1']) assert.equal(now.get(name)!.uid, before.get(name)!.uid, `${name} was not restarted`);
    await waitForStatus(c, { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 2, updatedReplicas: 1, currentRevision: r2, updateRevision: r3 });

    // The tutorial then deletes web-1: it is below the partition, so it returns with the old template.
    await c.ok(['delete', 'pod', 'web-1']);
    const web1 = await waitForReplacement(c, 'web-1', before.get('web-1')!.uid);
    assert.equal(web1.image, V2);
    assert.equal(web1.revision, r2);
    await waitForStatus(c, { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 2, updatedReplicas: 1 });
  });

  it('phased roll-out: partition 1 updates web-1, partition 0 then web-0, and the update becomes current', async () => {
    const before = await pods(c);
    let w = await watchPods();
    try {
      await setPartition(c, 1);
      assertRolloutStatus(await c.ok(['rollout', 'status', 'sts/web']), 'partitioned roll out complete: 2 new pods have been updated...');
      await waitForWatchedReplacement(w, 'web-1');
      assertReplacedOneAtATime(watchRows(w), ['web-1']);
    } finally {
      w.stop();
    }
    assert.deepEqual(await images(c), { 'web-0': V2, 'web-1': V3, 'web-2': V3 });
    assert.equal((await pods(c)).get('web-0')!.uid, before.get('web-0')!.uid);
    await waitForStatus(c, { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 1, updatedReplicas: 2, currentRevision: r2, updateRevision: r3 });

    w = await watchPods();
    try {
      assert.equal(await setPartition(c, 0), 'statefulset.apps/web patched\n');
      assertRolloutStatus(await c.ok(['rollout', 'status', 'sts/web']), 'partitioned roll out complete: 3 new pods have been updated...');
      await waitForWatchedReplacement(w, 'web-0');
      assertReplacedOneAtATime(watchRows(w), ['web-0']);
    } finally {
      w.stop();
    }
    assert.deepEqual(await images(c), { 'web-0': V3, 'web-1': V3, 'web-2': V3 });
    for (const [name, p] of await pods(c)) assert.equal(p.revision, r3, name);
    await waitForStatus(c, { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: r3, updateRevision: r3 });
  });

  it('OnDelete: a template change touches no pod; a deleted pod comes back with the new template', async () => {
    // OnDelete does not allow rollingUpdate, so the tutorial's strategy change must drop it.
    const bad = await c.kubectl(['patch', 'statefulset', 'web', '-p', '{"spec":{"updateStrategy":{"type":"OnDelete"}}}']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /The StatefulSet "web" is invalid: spec.updateStrategy.rollingUpdate: Invalid value: .*: only allowed for updateStrategy 'RollingUpdate'/);
    assert.equal(await c.ok(['patch', 'statefulset', 'web', '-p', '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}']), 'statefulset.apps/web patched\n');
    const before = await pods(c);
    await setImage(c, V4);
    const set = await waitForStatus(c, { replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 0, currentRevision: r3 });
    const r4 = set.status!.updateRevision!;
    assert.notEqual(r4, r3);
    const now = await pods(c);
    for (const [name, p] of before) assert.equal(now.get(name)!.uid, p.uid, `${name} was not restarted`);
    assert.deepEqual(await images(c), { 'web-0': V3, 'web-1': V3, 'web-2': V3 });

    const status = await c.kubectl(['rollout', 'status', 'sts/web']);
    assert.equal(status.code, 1);
    assert.equal(status.stderr, 'error: rollout status is only available for RollingUpdate strategy type\n');

    await c.ok(['delete', 'pod', 'web-1']);
    const web1 = await waitForReplacement(c, 'web-1', before.get('web-1')!.uid);
    assert.equal(web1.image, V4);
    assert.equal(web1.revision, r4);
    assert.deepEqual(await images(c), { 'web-0': V3, 'web-1': V4, 'web-2': V3 });
    // Only a RollingUpdate promotes the update revision; under OnDelete the current revision stays.
    await waitForStatus(c, { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 2, updatedReplicas: 1, currentRevision: r3, updateRevision: r4 });

    // Back to RollingUpdate without rollingUpdate: the controller finishes the roll-out, and kubectl reports it
    // by revision because no partition is set.
    await c.ok(['patch', 'statefulset', 'web', '-p', '{"spec":{"updateStrategy":{"type":"RollingUpdate"}}}']);
    const done = await c.ok(['rollout', 'status', 'sts/web']);
    assertRolloutStatus(done, `statefulset rolling update complete 3 pods at revision ${r4}...`);
    assert.deepEqual(await images(c), { 'web-0': V4, 'web-1': V4, 'web-2': V4 });
    await waitForStatus(c, { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: r4, updateRevision: r4 });
    const revs = await c.json<StoredList<ControllerRevision>>(['get', 'controllerrevisions']);
    assert.deepEqual(revs.items.map((r) => [r.metadata.name, r.revision]).sort(), [[r1, 1], [r2, 2], [r3, 3], [r4, 4]].sort());
  });
});
