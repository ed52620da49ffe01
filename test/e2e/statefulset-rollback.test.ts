// Revision history with the real kubectl: `rollout history`, `rollout undo` reusing the earlier
// ControllerRevision, and minReadySeconds holding availableReplicas behind readyReplicas.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, table, type Cluster } from './harness.js';
import {
  assertReplacedOneAtATime,
  assertRolloutStatus,
  images,
  pods,
  setImage,
  SIM_ARGS,
  waitForStatus,
  waitForWatchedReplacement,
  waitUntil,
  watchRows,
  WEB_YAML,
} from './statefulsets.js';

const V1 = 'k8s.gcr.io/nginx-slim:0.8';
const V2 = 'k8s.gcr.io/nginx-slim:0.9';
const CAUSE = 'image updated to 0.9';

describe('StatefulSet revision history, rollback and availability', () => {
  let c: Cluster;
  let r1 = '';
  let r2 = '';

  const revisions = async (): Promise<string[][]> =>
    table(await c.ok(['get', 'controllerrevisions']))
      .slice(1)
      .map((row) => row.slice(0, 3));

  before(async () => {
    c = await startCluster(SIM_ARGS);
    await c.ok(['apply', '-f', c.writeFile('web.yaml', WEB_YAML)]);
    assertRolloutStatus(await c.ok(['rollout', 'status', 'sts/web']), 'partitioned roll out complete: 2 new pods have been updated...');
    r1 = (await waitForStatus(c, { replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2 })).status!.currentRevision!;
  });
  after(async () => {
    await c.destroy();
  });

  it('lists one revision per template, with the change cause the set carried when it was made', async () => {
    assert.equal(await c.ok(['rollout', 'history', 'statefulset/web']), 'statefulset.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n\n');
    // Revisions copy the set's annotations when they are created; annotating alone makes no revision.
    await c.ok(['annotate', 'sts', 'web', `kubernetes.io/change-cause=${CAUSE}`]);
    assert.deepEqual(await revisions(), [[r1, 'statefulset.apps/web', '1']]);
    await setImage(c, V2);
    assertRolloutStatus(await c.ok(['rollout', 'status', 'sts/web']), 'partitioned roll out complete: 2 new pods have been updated...');
    const set = await waitForStatus(c, { replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2 });
    r2 = set.status!.updateRevision!;
    assert.equal(set.status!.currentRevision, r2);
    assert.equal(await c.ok(['rollout', 'history', 'statefulset/web']), `statefulset.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         ${CAUSE}\n\n`);
    assert.deepEqual((await revisions()).sort(), [[r1, 'statefulset.apps/web', '1'], [r2, 'statefulset.apps/web', '2']].sort());

    const rev1 = await c.ok(['rollout', 'history', 'statefulset/web', '--revision=1']);
    assert.match(rev1, /^statefulset\.apps\/web with revision #1\nPod Template:\n {2}Labels:\tapp=nginx\n {2}Containers:\n {3}nginx:\n {4}Image:\tk8s\.gcr\.io\/nginx-slim:0\.8\n/);
    const missing = await c.kubectl(['rollout', 'history', 'statefulset/web', '--revision=7']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /unable to find the specified revision/);

    // Each revision is the template as a "$patch: replace" strategic patch, labelled with the pod template's
    // labels and its hash, and controlled by the set.
    const cr = await c.json(['get', 'controllerrevision', r1]);
    const sts = await c.json(['get', 'sts', 'web']);
    assert.equal(cr.data.spec.template.$patch, 'replace');
    assert.equal(cr.data.spec.template.spec.containers[0].image, V1);
    assert.equal(cr.metadata.labels.app, 'nginx');
    assert.equal(`web-${cr.metadata.labels['controller.kubernetes.io/hash']}`, r1);
    assert.deepEqual(cr.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: sts.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  });

  it('rolls back to the previous template by reusing its revision, in reverse ordinal order', async () => {
    const dry = await c.ok(['rollout', 'undo', 'statefulset/web', '--dry-run=server']);
    assert.equal(dry, 'statefulset.apps/web rolled back (server dry run)\n');
    assert.deepEqual(await images(c), { 'web-0': V2, 'web-1': V2 }, 'a server dry run changes nothing');

    const w = c.stream(['get', 'pod', '-l', 'app=nginx', '-w']);
    try {
      await w.waitFor(/^web-1\s/);
      assert.equal(await c.ok(['rollout', 'undo', 'statefulset/web']), 'statefulset.apps/web rolled back\n');
      assertRolloutStatus(await c.ok(['rollout', 'status', 'sts/web']), 'partitioned roll out complete: 2 new pods have been updated...');
      await waitForWatchedReplacement(w, 'web-0');
      assertReplacedOneAtATime(watchRows(w), ['web-1', 'web-0']);
    } finally {
      w.stop();
    }
    // No new ControllerRevision: the first one is reused and renumbered after the latest.
    assert.deepEqual((await revisions()).sort(), [[r1, 'statefulset.apps/web', '3'], [r2, 'statefulset.apps/web', '2']].sort());
    await waitForStatus(c, { replicas: 2, readyReplicas: 2, availableReplicas: 2, currentReplicas: 2, updatedReplicas: 2, currentRevision: r1, updateRevision: r1 });
    for (const [name, p] of await pods(c)) {
      assert.equal(p.image, V1, name);
      assert.equal(p.revision, r1, name);
    }
    // The reused revision keeps its own annotations, so revision 3 has no change cause.
    assert.equal(await c.ok(['rollout', 'history', 'statefulset/web']), `statefulset.apps/web \nREVISION  CHANGE-CAUSE\n2         ${CAUSE}\n3         <none>\n\n`);
  });

  it('skips a rollback to the template the set already has, and refuses an unknown revision', async () => {
    // kubectl compares the set's template, encoded as the revision data is, byte for byte.
    assert.equal(await c.ok(['rollout', 'undo', 'statefulset/web', '--to-revision=3']), 'statefulset.apps/web skipped rollback (current template already matches revision 3)\n');
    const generation = (await c.json(['get', 'sts', 'web'])).metadata.generation;
    const r = await c.kubectl(['rollout', 'undo', 'statefulset/web', '--to-revision=9']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: unable to find specified revision 9 in history\n');
    assert.equal((await c.json(['get', 'sts', 'web'])).metadata.generation, generation, 'the set was not touched');
  });

  it('minReadySeconds: changes no revision, and availableReplicas trails readyReplicas by that long', async () => {
    const before = await c.json(['get', 'sts', 'web']);
    await c.ok(['patch', 'sts', 'web', '-p', '{"spec":{"minReadySeconds":2}}']);
    const set = await waitForStatus(c, { replicas: 2, readyReplicas: 2, availableReplicas: 2, currentRevision: r1, updateRevision: r1 });
    assert.equal(set.metadata.generation, before.metadata.generation + 1, 'a spec change bumps the generation');
    assert.deepEqual((await revisions()).sort(), [[r1, 'statefulset.apps/web', '3'], [r2, 'statefulset.apps/web', '2']].sort(), 'minReadySeconds is not part of a revision');

    const w = c.stream(['get', 'sts', 'web', '-w', '-o', 'jsonpath={.status.readyReplicas} {.status.availableReplicas}{"\\n"}']);
    const seen: Array<{ line: string; at: number }> = [];
    w.proc.stdout!.on('data', () => {
      for (const line of w.lines.slice(seen.length)) seen.push({ line, at: Date.now() });
    });
    try {
      await w.waitFor(/^2 2$/);
      const from = seen.length;
      await c.ok(['delete', 'pod', 'web-1']);
      const firstAfter = (line: string, start: number) => {
        const i = seen.findIndex((s, k) => k >= start && s.line === line);
        return i < 0 ? undefined : i;
      };
      const ready = await waitUntil('readyReplicas 2 with availableReplicas 1', async () => firstAfter('2 1', from));
      const available = await waitUntil('availableReplicas 2', async () => firstAfter('2 2', ready));
      const lag = seen[available].at - seen[ready].at;
      assert.ok(lag >= 1000, `available ${lag} ms after ready; minReadySeconds is 2`);
    } finally {
      w.stop();
    }
    for (const { line } of seen) {
      const [ready, available] = line.split(' ').map((x) => Number(x || 0));
      assert.ok(available <= ready, `availableReplicas never exceeds readyReplicas: ${line}`);
    }
    await waitForStatus(c, { replicas: 2, readyReplicas: 2, availableReplicas: 2, currentReplicas: 2, updatedReplicas: 2 });
  });
});
