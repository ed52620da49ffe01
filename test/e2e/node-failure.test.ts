// The singleton-service document (seed 003) on a node failure, with the real kubectl and shortened
// timeouts: a node whose agent stops (sim.k8ts.io/down) turns NotReady, is tainted unreachable, and its
// pods are evicted after their tolerationSeconds. The Deployment of one replica then runs two pods at
// once (the replacement starts while the old pod is still Terminating on the lost node); the
// StatefulSet of one replica never does: its pod stays Terminating until the node is back and has
// killed it. The invariant checker watches the whole run.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, table, type Cluster } from './harness.js';
import { watchInvariants, type WatchedCluster } from './invariants.js';
import { eventually } from './pod-watch.js';

const LOST = 'k8ts-m02';

// Both prefer the node that will be lost, so their first pods land there and their replacements cannot.
const affinity = `
      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference:
              matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${LOST}]}]`;

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: rs-singleton}
spec:
  replicas: 1
  selector: {matchLabels: {app: rs-singleton}}
  template:
    metadata: {labels: {app: rs-singleton}}
    spec:${affinity}
      containers: [{name: app, image: nginx}]
---
apiVersion: v1
kind: Service
metadata: {name: sts-singleton}
spec:
  clusterIP: None
  selector: {app: sts-singleton}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sts-singleton}
spec:
  replicas: 1
  serviceName: sts-singleton
  selector: {matchLabels: {app: sts-singleton}}
  template:
    metadata: {labels: {app: sts-singleton}}
    spec:${affinity}
      containers: [{name: app, image: nginx}]
`;

interface Row {
  name: string;
  ready: string;
  status: string;
  node: string;
}

async function pods(c: Cluster, app: string): Promise<Row[]> {
  return table(await c.ok(['get', 'pods', '-l', `app=${app}`, '-o', 'wide']))
    .slice(1)
    .map((r) => ({ name: r[0], ready: r[1], status: r[2], node: r[6] }));
}

describe('node failure: a ReplicaSet replaces its pod at once, a StatefulSet waits for the old one to be gone', () => {
  let c: Cluster;
  let watched: WatchedCluster | undefined;

  before(async () => {
    c = await startCluster(['--nodes', '3', '--node-monitor-grace-period', '4s', '--default-unreachable-toleration-seconds', '2', '--default-not-ready-toleration-seconds', '2']);
    watched = watchInvariants(c);
  });
  after(async () => {
    await watched?.stop();
    await c?.destroy();
  });

  it('both singletons run on the node about to be lost, with the default tolerations admission added', async () => {
    await c.ok(['apply', '-f', '-'], MANIFESTS);
    for (const app of ['rs-singleton', 'sts-singleton']) {
      await eventually(async () => {
        const rows = await pods(c, app);
        assert.deepEqual(rows.map((r) => `${r.ready} ${r.status} ${r.node}`), [`1/1 Running ${LOST}`]);
      }, 30_000);
    }
    const tolerations = await c.ok(['get', 'pod', 'sts-singleton-0', '-o', 'jsonpath={range .spec.tolerations[*]}{.key}:{.effect}:{.tolerationSeconds} {end}']);
    assert.equal(tolerations.trim(), 'node.kubernetes.io/not-ready:NoExecute:2 node.kubernetes.io/unreachable:NoExecute:2');
  });

  it('the lost node turns NotReady and is tainted unreachable', async () => {
    await c.ok(['annotate', 'node', LOST, 'sim.k8ts.io/down=true']);
    await eventually(async () => {
      const row = table(await c.ok(['get', 'nodes'])).find((r) => r[0] === LOST);
      assert.equal(row?.[1], 'NotReady');
    }, 30_000);
    await eventually(async () => {
      const taints = await c.ok(['get', 'node', LOST, '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}']);
      assert.equal(taints.trim().split(' ').sort().join(' '), 'node.kubernetes.io/unreachable:NoExecute node.kubernetes.io/unreachable:NoSchedule');
    }, 30_000);
  });

  it('the Deployment runs its replacement elsewhere while the old pod is still Terminating on the lost node', async () => {
    const rows = await eventually(async () => {
      const r = await pods(c, 'rs-singleton');
      assert.equal(r.length, 2, JSON.stringify(r));
      assert.ok(r.some((p) => p.status === 'Terminating' && p.node === LOST), JSON.stringify(r));
      assert.ok(r.some((p) => p.status === 'Running' && p.ready === '1/1' && p.node !== LOST), JSON.stringify(r));
      return r;
    }, 30_000);
    assert.equal(new Set(rows.map((r) => r.name)).size, 2);
  });

  it('the StatefulSet pod stays Terminating and no second pod of its identity starts', async () => {
    await eventually(async () => assert.deepEqual((await pods(c, 'sts-singleton')).map((r) => `${r.name} ${r.status} ${r.node}`), [`sts-singleton-0 Terminating ${LOST}`]), 30_000);
    await new Promise((r) => setTimeout(r, 5000));
    assert.deepEqual((await pods(c, 'sts-singleton')).map((r) => `${r.name} ${r.status}`), ['sts-singleton-0 Terminating']);
    const sts = await c.json<{ status: { replicas?: number; readyReplicas?: number } }>(['get', 'sts', 'sts-singleton', '-o', 'json']);
    assert.equal(sts.status.readyReplicas ?? 0, 0);
  });

  it('when the node is back its agent kills the old pods, and the StatefulSet starts sts-singleton-0 again', async () => {
    await c.ok(['annotate', 'node', LOST, 'sim.k8ts.io/down-']);
    await eventually(async () => {
      const row = table(await c.ok(['get', 'nodes'])).find((r) => r[0] === LOST);
      assert.equal(row?.[1], 'Ready');
    }, 30_000);
    await eventually(async () => {
      const rs = await pods(c, 'rs-singleton');
      assert.deepEqual(rs.map((r) => r.status), ['Running'], JSON.stringify(rs));
      const sts = await pods(c, 'sts-singleton');
      assert.deepEqual(sts.map((r) => `${r.name} ${r.ready} ${r.status}`), ['sts-singleton-0 1/1 Running'], JSON.stringify(sts));
    }, 30_000);
  });

  it('no invariant was violated: never two possibly-running pods of sts-singleton-0', () => {
    watched!.checker.assertNone();
  });
});
