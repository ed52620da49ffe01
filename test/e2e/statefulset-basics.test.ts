// The StatefulSet basics tutorial (seeds/001, section 1), steps "creating", "pods in a StatefulSet",
// "scaling up" and "scaling down", run unchanged with the real kubectl against `k8ts server --nodes 1`.
// Every step watches `kubectl get pods -w -l app=nginx` and asserts on the order of its lines.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Volume } from 'kubernetes-types/core/v1.js';
import { startCluster, table, type Cluster } from './harness.js';
import { fixturePath } from './manifests.js';
import { PodWatch, added, deleted, eventually, named, runningReady, terminating } from './pod-watch.js';
import { claimUids, podsByName } from './statefulset-state.js';

describe('StatefulSet basics: creating, pod identity, scaling', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--nodes', '1', '--sim-start-delay', '200ms', '--sim-stop-delay', '100ms']);
  });
  after(async () => {
    await c.destroy();
  });

  it('creates web-0, then web-1 only once web-0 is Running and Ready', async () => {
    const w = await PodWatch.start(c, 'app=nginx');
    try {
      assert.equal(await c.ok(['apply', '-f', fixturePath('web.yaml')]), 'service/nginx created\nstatefulset.apps/web created\n');
      await w.until(runningReady('web-1'), 'web-1 Running and Ready');
      assert.deepEqual(w.order(() => true), ['web-0', 'web-1'], w.text);
      assert.ok(w.index(named('web-1')) > w.index(runningReady('web-0')), `web-1 appeared before web-0 was Ready:\n${w.text}`);
      assert.equal(w.maxNotReady(), 1, `more than one pod was starting at once:\n${w.text}`);
      const web0 = w.rows.filter(named('web-0')).map((r) => r.status);
      assert.deepEqual([...new Set(web0)], ['Pending', 'ContainerCreating', 'Running'], w.text);
    } finally {
      w.stop();
    }
    const svc = table(await c.ok(['get', 'service', 'nginx']));
    assert.deepEqual(svc[1].slice(0, 5), ['nginx', 'ClusterIP', 'None', '<none>', '80/TCP']);
    const sts = table(await c.ok(['get', 'statefulset', 'web']));
    assert.deepEqual(sts[1].slice(0, 2), ['web', '2/2']);
    const pods = table(await c.ok(['get', 'pods', '-l', 'app=nginx']));
    assert.deepEqual(pods.slice(1).map((r) => r.slice(0, 4)), [
      ['web-0', '1/1', 'Running', '0'],
      ['web-1', '1/1', 'Running', '0'],
    ]);
  });

  it('gives each pod a stable identity: hostname, subdomain, labels, owner, claim', async () => {
    const sts = await c.json(['get', 'sts', 'web']);
    assert.match(sts.status.updateRevision, /^web-[0-9a-z]+$/);
    for (const i of [0, 1]) {
      const name = `web-${i}`;
      assert.equal(await c.ok(['get', 'pod', name, '-o', 'jsonpath={.spec.hostname} {.spec.subdomain}']), `${name} nginx`);
      const pod = await c.json(['get', 'pod', name]);
      assert.equal(pod.metadata.labels['statefulset.kubernetes.io/pod-name'], name);
      assert.equal(pod.metadata.labels['apps.kubernetes.io/pod-index'], String(i));
      assert.equal(pod.metadata.labels['controller-revision-hash'], sts.status.updateRevision, 'the label holds the full revision name');
      assert.deepEqual(pod.metadata.ownerReferences, [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: sts.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
      const www = pod.spec.volumes.find((v: Volume) => v.name === 'www');
      assert.equal(www.persistentVolumeClaim.claimName, `www-${name}`);
    }
    const pvc = await eventually(async () => {
      const rows = table(await c.ok(['get', 'pvc', '-l', 'app=nginx']));
      assert.deepEqual(rows.slice(1).map((r) => [r[0], r[1], r[3], r[4], r[5]]), [
        ['www-web-0', 'Bound', '1Gi', 'RWO', 'standard'],
        ['www-web-1', 'Bound', '1Gi', 'RWO', 'standard'],
      ]);
      return rows;
    });
    assert.deepEqual(pvc[0].slice(0, 6), ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS']);
    assert.match(pvc[1][2], /^pvc-[0-9a-f-]{36}$/);
  });

  it('brings deleted pods back with the same names, in order, on the same claims', async () => {
    const pods = await podsByName(c);
    const claims = await claimUids(c);
    const w = await PodWatch.start(c, 'app=nginx', true);
    try {
      const start = (await w.until(added('web-1'), 'the listed pods')) + 1;
      assert.equal(await c.ok(['delete', 'pod', '-l', 'app=nginx']), 'pod "web-0" deleted\npod "web-1" deleted\n');
      await w.until(runningReady('web-1'), 'web-1 back', (await w.until(added('web-1'), 'web-1 re-created', start)));
      const readd0 = w.index(added('web-0'), w.index(deleted('web-0'), start));
      const ready0 = w.index(runningReady('web-0'), readd0);
      const readd1 = w.index(added('web-1'), start);
      assert.ok(readd0 > 0 && ready0 > readd0, w.text);
      assert.ok(readd1 > ready0, `web-1 came back before web-0 was Ready:\n${w.text}`);
      assert.ok(readd1 > w.index(deleted('web-1'), start), w.text);
      assert.equal(w.maxNotReady(w.index(deleted('web-1'), start) + 1), 1, w.text);
    } finally {
      w.stop();
    }
    const again = await podsByName(c);
    assert.deepEqual([...again.keys()], ['web-0', 'web-1']);
    for (const [name, pod] of again) {
      assert.notEqual(pod.metadata.uid, pods.get(name)!.metadata.uid, `${name} is a new pod`);
      assert.equal(pod.spec!.hostname, name);
      assert.equal(pod.spec!.volumes!.find((v) => v.name === 'www')!.persistentVolumeClaim!.claimName, `www-${name}`);
    }
    assert.deepEqual(await claimUids(c), claims, 'the same claims, not new ones');
  });

  it('scales up with kubectl scale: web-2, web-3, web-4, each after the previous is Ready', async () => {
    const w = await PodWatch.start(c, 'app=nginx', true);
    try {
      const start = (await w.until(added('web-1'), 'the listed pods')) + 1;
      assert.equal(await c.ok(['scale', 'sts', 'web', '--replicas=5']), 'statefulset.apps/web scaled\n');
      await w.until(runningReady('web-4'), 'web-4 Running and Ready', start);
      assert.deepEqual(w.order((r) => r.event === 'ADDED', start), ['web-2', 'web-3', 'web-4'], w.text);
      for (const k of [3, 4]) {
        const created = w.index(added(`web-${k}`), start);
        assert.ok(created > w.index(runningReady(`web-${k - 1}`), start), `web-${k} was created before web-${k - 1} was Ready:\n${w.text}`);
      }
      assert.equal(w.maxNotReady(start), 1, w.text);
    } finally {
      w.stop();
    }
    const sts = await eventually(async () => {
      const s = await c.json(['get', 'sts', 'web']);
      assert.equal(s.status.readyReplicas, 5);
      return s;
    });
    assert.equal(sts.status.replicas, 5);
  });

  it('scales down with kubectl patch: web-4 then web-3, one at a time, claims kept', async () => {
    const w = await PodWatch.start(c, 'app=nginx', true);
    try {
      const start = (await w.until(added('web-4'), 'the listed pods')) + 1;
      assert.equal(await c.ok(['patch', 'sts', 'web', '-p', '{"spec":{"replicas":3}}']), 'statefulset.apps/web patched\n');
      const gone3 = await w.until(deleted('web-3'), 'web-3 deleted', start);
      const term4 = w.index(terminating('web-4'), start);
      const gone4 = w.index(deleted('web-4'), start);
      const term3 = w.index(terminating('web-3'), start);
      assert.ok(term4 >= start && term4 < gone4, w.text);
      assert.ok(gone4 < term3, `web-3 started terminating before web-4 was gone:\n${w.text}`);
      assert.ok(term3 < gone3, w.text);
      for (const name of ['web-0', 'web-1', 'web-2']) assert.equal(w.index(terminating(name), start), -1, w.text);
    } finally {
      w.stop();
    }
    const pods = table(await c.ok(['get', 'pods', '-l', 'app=nginx']));
    assert.deepEqual(pods.slice(1).map((r) => r.slice(0, 3)), [
      ['web-0', '1/1', 'Running'],
      ['web-1', '1/1', 'Running'],
      ['web-2', '1/1', 'Running'],
    ]);
    const pvc = table(await c.ok(['get', 'pvc', '-l', 'app=nginx']));
    assert.deepEqual(pvc.slice(1).map((r) => [r[0], r[1], r[3], r[4]]), [0, 1, 2, 3, 4].map((i) => [`www-web-${i}`, 'Bound', '1Gi', 'RWO']));
    await eventually(async () => {
      const s = await c.json(['get', 'sts', 'web']);
      assert.deepEqual([s.status.replicas, s.status.readyReplicas, s.status.currentReplicas], [3, 3, 3]);
    });
    const deletions = await c.ok(['get', 'events', '--field-selector', 'reason=SuccessfulDelete', '-o', 'jsonpath={range .items[*]}{.message} x{.count}{"\\n"}{end}']);
    assert.equal(deletions, 'delete Pod web-4 in StatefulSet web successful x1\ndelete Pod web-3 in StatefulSet web successful x1\n', 'each pod is deleted once');
  });
});
