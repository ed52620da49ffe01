// The StatefulSet basics tutorial (seeds/001, section 1), "deleting StatefulSets": the orphaning delete,
// re-creation that adopts the surviving pods, the cascading delete, and re-creation on the kept claims.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Stored, StoredList } from '../../src/client/objects.js';
import { startCluster, table, type Cluster } from './harness.js';
import { fixturePath } from './manifests.js';
import { PodWatch, added, deleted, eventually, runningReady, terminating } from './pod-watch.js';
import { claimUids, podsByName, readyReplicas } from './statefulset-state.js';

const WEB = fixturePath('web.yaml');

const ownerUids = (obj: Stored<ControllerRevision>): string[] => (obj.metadata.ownerReferences ?? []).map((o) => o.uid);

describe('StatefulSet basics: deleting the set', () => {
  let c: Cluster;
  let oldSet: Stored<StatefulSet>;
  let oldPods: Map<string, Stored<Pod>>;
  before(async () => {
    c = await startCluster(['--nodes', '1', '--sim-start-delay', '200ms', '--sim-stop-delay', '100ms']);
    // Where the tutorial stands when it reaches this section: three replicas, all Running and Ready.
    await c.ok(['apply', '-f', WEB]);
    await c.ok(['scale', 'sts', 'web', '--replicas=3']);
    oldSet = await readyReplicas(c, 3);
  });
  after(async () => {
    await c.destroy();
  });

  it('kubectl delete --cascade=orphan removes the set and leaves its pods running without owners', async () => {
    oldPods = await podsByName(c);
    assert.equal(await c.ok(['delete', 'statefulset', 'web', '--cascade=orphan']), 'statefulset.apps "web" deleted\n');
    assert.equal((await c.kubectl(['get', 'sts', 'web'])).code, 1);
    const pods = await podsByName(c);
    assert.deepEqual([...pods.keys()], ['web-0', 'web-1', 'web-2']);
    for (const [name, pod] of pods) {
      assert.equal(pod.metadata.uid, oldPods.get(name)!.metadata.uid);
      assert.equal(pod.metadata.ownerReferences, undefined, `${name} still has owners`);
      assert.equal(pod.metadata.deletionTimestamp, undefined);
    }
    const rows = table(await c.ok(['get', 'pods', '-l', 'app=nginx']));
    assert.deepEqual(rows.slice(1).map((r) => r.slice(0, 3)), ['web-0', 'web-1', 'web-2'].map((n) => [n, '1/1', 'Running']));
    const revisions = (await c.json<StoredList<ControllerRevision>>(['get', 'controllerrevisions'])).items;
    assert.deepEqual(revisions.map((r) => [r.metadata.name, r.metadata.ownerReferences]), [[oldSet.status!.updateRevision, undefined]], 'the revision is orphaned too');
  });

  it('an orphaned pod that is deleted is not re-created', async () => {
    assert.equal(await c.ok(['delete', 'pod', 'web-0']), 'pod "web-0" deleted\n');
    const rows = table(await c.ok(['get', 'pods', '-l', 'app=nginx']));
    assert.deepEqual(rows.slice(1).map((r) => r[0]), ['web-1', 'web-2']);
  });

  it('re-applying web.yaml adopts web-1, creates web-0 and deletes web-2 once web-0 is Ready', async () => {
    const w = await PodWatch.start(c, 'app=nginx', true);
    try {
      const start = (await w.until(added('web-2'), 'the listed pods')) + 1;
      const out = await c.ok(['apply', '-f', WEB]);
      assert.equal(out, 'service/nginx unchanged\nstatefulset.apps/web created\n');
      const gone2 = await w.until(deleted('web-2'), 'web-2 deleted', start);
      const ready0 = w.index(runningReady('web-0'), w.index(added('web-0'), start));
      const term2 = w.index(terminating('web-2'), start);
      assert.ok(ready0 > start && term2 > ready0 && gone2 > term2, `web-2 was deleted before web-0 was Ready:\n${w.text}`);
      assert.equal(w.index(terminating('web-1'), start), -1, `the adopted web-1 was restarted:\n${w.text}`);
      assert.equal(w.index(added('web-1'), start), -1, w.text);
    } finally {
      w.stop();
    }
    const set = await readyReplicas(c, 2);
    assert.notEqual(set.metadata.uid, oldSet.metadata.uid);
    assert.equal(set.status!.updateRevision, oldSet.status!.updateRevision, 'the same template gives the same revision');
    const pods = await podsByName(c);
    assert.deepEqual([...pods.keys()], ['web-0', 'web-1']);
    assert.equal(pods.get('web-1')!.metadata.uid, oldPods.get('web-1')!.metadata.uid, 'web-1 is the surviving pod');
    for (const pod of pods.values()) {
      assert.deepEqual(pod.metadata.ownerReferences, [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
      assert.equal(pod.metadata.labels!['controller-revision-hash'], set.status!.updateRevision);
    }
    const revisions = (await c.json<StoredList<ControllerRevision>>(['get', 'controllerrevisions'])).items;
    assert.deepEqual(revisions.map((r) => [r.metadata.name, ownerUids(r)]), [[set.status!.updateRevision, [set.metadata.uid]]], 'the orphaned revision is adopted');
  });

  it('kubectl delete statefulset removes every pod and keeps the claims', async () => {
    const claims = await claimUids(c);
    assert.deepEqual([...claims.keys()], ['www-web-0', 'www-web-1', 'www-web-2']);
    const w = await PodWatch.start(c, 'app=nginx', true);
    try {
      const start = (await w.until(added('web-1'), 'the listed pods')) + 1;
      assert.equal(await c.ok(['delete', 'statefulset', 'web']), 'statefulset.apps "web" deleted\n');
      // The tutorial shows reverse order; upstream gives no order on a cascading delete (semantics §1.10).
      await w.until(deleted('web-0'), 'web-0 deleted', start);
      await w.until(deleted('web-1'), 'web-1 deleted', start);
      assert.equal(w.index((r) => r.event === 'ADDED', start), -1, `a pod was re-created:\n${w.text}`);
    } finally {
      w.stop();
    }
    const r = await c.kubectl(['get', 'pods', '-l', 'app=nginx']);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'No resources found in default namespace.\n');
    await eventually(async () => assert.deepEqual((await c.json(['get', 'controllerrevisions'])).items, []));
    assert.deepEqual(await claimUids(c), claims, 'claims are retained');
    const pvc = table(await c.ok(['get', 'pvc', '-l', 'app=nginx']));
    assert.deepEqual(pvc.slice(1).map((row) => row[1]), ['Bound', 'Bound', 'Bound']);
    assert.equal(await c.ok(['get', 'service', 'nginx', '-o', 'name']), 'service/nginx\n', 'the headless service is not part of the cascade');
  });

  it('re-creating the set mounts the kept claims again', async () => {
    const claims = await claimUids(c);
    assert.equal(await c.ok(['delete', 'service', 'nginx']), 'service "nginx" deleted\n');
    assert.equal(await c.ok(['apply', '-f', WEB]), 'service/nginx created\nstatefulset.apps/web created\n');
    await readyReplicas(c, 2);
    assert.deepEqual(await claimUids(c), claims, 'no new claims');
    for (const [name, pod] of await podsByName(c)) {
      assert.equal(pod.spec!.volumes!.find((v) => v.name === 'www')!.persistentVolumeClaim!.claimName, `www-${name}`);
    }
    assert.equal(await c.ok(['delete', 'service', 'nginx']), 'service "nginx" deleted\n');
    assert.equal(await c.ok(['delete', 'statefulset', 'web']), 'statefulset.apps "web" deleted\n');
  });
});
