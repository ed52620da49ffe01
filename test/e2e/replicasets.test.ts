// ReplicaSets and ReplicationControllers with the real kubectl: pods named after their set, replaced
// when deleted, scaled, orphaned and adopted by label.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../../src/client/objects.js';
import { startCluster, table, type Cluster } from './harness.js';
import { eventually } from './pod-watch.js';

const FRONTEND = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels: {app: guestbook, tier: frontend}
spec:
  replicas: 3
  selector:
    matchLabels: {tier: frontend}
  template:
    metadata:
      labels: {tier: frontend}
    spec:
      containers:
      - name: php-redis
        image: us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5
`;

const RC = `apiVersion: v1
kind: ReplicationController
metadata:
  name: nginx
spec:
  replicas: 2
  selector: {app: nginx-rc}
  template:
    metadata:
      labels: {app: nginx-rc}
    spec:
      containers:
      - name: nginx
        image: nginx
`;

describe('ReplicaSets and ReplicationControllers', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--sim-start-delay', '0']);
  });
  after(async () => {
    await c?.destroy();
  });

  const pods = async (selector: string) => (await c.json<{ items: Stored<Pod>[] }>(['get', 'pods', '-l', selector])).items.filter((p) => !p.metadata.deletionTimestamp);
  const running = (selector: string, n: number) =>
    eventually(async () => {
      const ps = await pods(selector);
      assert.equal(ps.filter((p) => p.status?.phase === 'Running').length, n, `${n} running pods for ${selector}`);
      assert.equal(ps.length, n);
      return ps;
    });

  it('runs the replicas as <set>-xxxxx pods, replaces a deleted one and shows the real columns', async () => {
    assert.equal(await c.ok(['apply', '-f', '-'], FRONTEND), 'replicaset.apps/frontend created\n');
    const first = await running('tier=frontend', 3);
    for (const p of first) {
      assert.match(p.metadata.name, /^frontend-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.deepEqual(p.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.controller]), [['ReplicaSet', 'frontend', true]]);
    }
    await eventually(async () => assert.deepEqual(table(await c.ok(['get', 'rs', 'frontend'])).map((r) => r.slice(0, 4)), [['NAME', 'DESIRED', 'CURRENT', 'READY'], ['frontend', '3', '3', '3']]));
    await c.ok(['delete', 'pod', first[0].metadata.name]);
    const after = await running('tier=frontend', 3);
    assert.ok(!after.some((p) => p.metadata.name === first[0].metadata.name), 'a new pod took its place');
    assert.match(await c.ok(['get', 'events', '--field-selector', 'involvedObject.name=frontend']), /SuccessfulCreate\s+replicaset\/frontend\s+Created pod: frontend-/);
  });

  it('scales, and after an orphaning delete a new set with the same selector adopts the pods', async () => {
    assert.equal(await c.ok(['scale', 'rs', 'frontend', '--replicas=1']), 'replicaset.apps/frontend scaled\n');
    const one = await running('tier=frontend', 1);
    await c.ok(['delete', 'rs', 'frontend', '--cascade=orphan']);
    const orphan = await eventually(async () => {
      const [p] = await pods('tier=frontend');
      assert.equal(p.metadata.ownerReferences, undefined, 'the pod is released');
      return p;
    });
    assert.equal(orphan.metadata.name, one[0].metadata.name);
    await c.ok(['apply', '-f', '-'], FRONTEND.replace('replicas: 3', 'replicas: 2'));
    const adopted = await running('tier=frontend', 2);
    assert.ok(adopted.some((p) => p.metadata.name === orphan.metadata.name), 'the orphan is adopted, not replaced');
    for (const p of adopted) assert.equal(p.metadata.ownerReferences?.[0].name, 'frontend');
  });

  it('drives a ReplicationController with its equality selector', async () => {
    assert.equal(await c.ok(['apply', '-f', '-'], RC), 'replicationcontroller/nginx created\n');
    const ps = await running('app=nginx-rc', 2);
    assert.deepEqual(ps[0].metadata.ownerReferences?.map((o) => [o.apiVersion, o.kind]), [['v1', 'ReplicationController']]);
    assert.equal(await c.ok(['scale', 'rc', 'nginx', '--replicas=3']), 'replicationcontroller/nginx scaled\n');
    await running('app=nginx-rc', 3);
    await eventually(async () => assert.deepEqual(table(await c.ok(['get', 'rc', 'nginx'])).map((r) => r.slice(0, 4)), [['NAME', 'DESIRED', 'CURRENT', 'READY'], ['nginx', '3', '3', '3']]));
  });
});
