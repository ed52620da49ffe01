// The ZooKeeper tutorial's disruption section (seed 001, section 4) with the real kubectl on four
// simulated nodes: required anti-affinity puts zk-0..2 on three nodes, zk-pdb allows one disruption,
// the first drain moves zk-0, the second leaves zk-1 Pending with the real FailedScheduling message,
// the third is refused by the budget (kubectl's retry message) until its timeout, and succeeds once
// the first node is uncordoned and zk-1 runs again. The ARCUS manifest (seed 000) spreads its cache
// nodes with preferred anti-affinity. The invariant checker watches the whole run.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, table, type Cluster } from './harness.js';
import { watchInvariants, type WatchedCluster } from './invariants.js';
import { fixturePath } from './manifests.js';
import { eventually } from './pod-watch.js';

const podNode = async (c: Cluster, pod: string) => (await c.ok(['get', 'pod', pod, '--template', '{{.spec.nodeName}}'])).trim();

async function podTable(c: Cluster): Promise<Map<string, { ready: string; status: string; node: string }>> {
  const rows = table(await c.ok(['get', 'pods', '-o', 'wide']));
  return new Map(rows.slice(1).map((r) => [r[0], { ready: r[1], status: r[2], node: r[6] }]));
}

const ready = (c: Cluster, pod: string) =>
  eventually(async () => {
    const row = (await podTable(c)).get(pod);
    assert.equal(`${row?.ready} ${row?.status}`, '1/1 Running', `${pod}: ${JSON.stringify(row)}`);
    return row!;
  }, 60_000);

const drain = (c: Cluster, node: string, extra: string[] = []) => c.kubectl(['drain', node, '--ignore-daemonsets', '--force', '--delete-emptydir-data', ...extra], undefined, 90_000);

describe('ZooKeeper ensemble: PodDisruptionBudget, anti-affinity, cordon and drain', () => {
  let c: Cluster;
  let watched: WatchedCluster | undefined;
  let firstDrained = '';

  before(async () => {
    c = await startCluster(['--nodes', '4']);
    watched = watchInvariants(c);
  });
  after(async () => {
    await watched?.stop();
    await c?.destroy();
  });

  it('places zk-0..2 on three different nodes and zk-pdb allows one disruption', async () => {
    const out = await c.ok(['apply', '-f', fixturePath('zookeeper.yaml')]);
    assert.match(out, /poddisruptionbudget.policy\/zk-pdb created/);
    const rows = [await ready(c, 'zk-0'), await ready(c, 'zk-1'), await ready(c, 'zk-2')];
    assert.equal(new Set(rows.map((r) => r.node)).size, 3, JSON.stringify(rows));
    await eventually(async () => {
      const pdb = table(await c.ok(['get', 'pdb', 'zk-pdb']));
      assert.deepEqual(pdb[0], ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);
      assert.deepEqual(pdb[1].slice(0, 4), ['zk-pdb', 'N/A', '1', '1']);
    });
  });

  it('the first drain evicts zk-0, which is rescheduled on the fourth node', async () => {
    const node = await podNode(c, 'zk-0');
    firstDrained = node;
    const r = await drain(c, node);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`node/${node} cordoned`));
    assert.match(r.stdout, /pod\/zk-0 evicted/);
    assert.match(r.stdout, new RegExp(`node/${node} drained`));
    const moved = await ready(c, 'zk-0');
    assert.notEqual(moved.node, node);
  });

  it('the second drain leaves zk-1 Pending: no node satisfies the anti-affinity rule', async () => {
    const node = await podNode(c, 'zk-1');
    const r = await drain(c, node);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pod\/zk-1 evicted/);
    await eventually(async () => assert.equal((await podTable(c)).get('zk-1')?.status, 'Pending'));
    const message = await eventually(async () => {
      const events = await c.ok(['get', 'events', '--field-selector', 'involvedObject.name=zk-1,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}']);
      assert.ok(events.includes('anti-affinity'), events);
      return events;
    });
    assert.match(
      message,
      /0\/4 nodes are available: 2 node\(s\) didn't match pod anti-affinity rules, 2 node\(s\) were unschedulable\. preemption: 0\/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling\./,
    );
  });

  it('the third drain is refused by the budget and retried until its timeout', async () => {
    const node = await podNode(c, 'zk-2');
    const r = await drain(c, node, ['--timeout=12s']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /error when evicting pods\/"zk-2" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
    assert.match(r.stderr, /global timeout reached: 12s/);
    assert.equal((await podTable(c)).get('zk-2')?.status, 'Running');
    assert.deepEqual(table(await c.ok(['get', 'pdb', 'zk-pdb']))[1].slice(0, 4), ['zk-pdb', 'N/A', '1', '0']);
  });

  it('after uncordoning the first node zk-1 runs there and the third drain succeeds', async () => {
    const zk2Node = await podNode(c, 'zk-2');
    const target = firstDrained;
    assert.match(await c.ok(['uncordon', target]), new RegExp(`node/${target} uncordoned`));
    const zk1 = await ready(c, 'zk-1');
    assert.equal(zk1.node, target);
    const r = await drain(c, zk2Node);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`node/${zk2Node} already cordoned`));
    assert.match(r.stdout, /pod\/zk-2 evicted/);
  });

  it('ARCUS cache nodes spread over three nodes by preferred anti-affinity', async () => {
    for (const n of (await c.ok(['get', 'nodes', '-o', 'name'])).trim().split('\n')) await c.ok(['uncordon', n.replace('node/', '')]);
    await c.ok(['apply', '-f', fixturePath('arcus-memcached.yaml')]);
    const rows = [await ready(c, 'arcus-mc-0'), await ready(c, 'arcus-mc-1'), await ready(c, 'arcus-mc-2')];
    assert.equal(new Set(rows.map((r) => r.node)).size, 3, JSON.stringify(rows));
  });

  it('no invariant was violated on the way: one pod per identity, budgets kept, taints tolerated', () => {
    watched!.checker.assertNone();
  });
});
