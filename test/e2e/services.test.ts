// Services with the real kubectl: cluster IPs, node ports, the built-in load balancer, and the 3-tier
// document's `kubectl patch svc ... -p '{"spec":{"type":"LoadBalancer"}}'`.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, table, type Cluster } from './harness.js';
import { eventually } from './pod-watch.js';

describe('Services', () => {
  let c: Cluster;
  let pooled: Cluster;
  before(async () => {
    [c, pooled] = await Promise.all([startCluster(), startCluster(['--load-balancer-pool', '127.0.0.150-127.0.0.150'])]);
  });
  after(async () => {
    await Promise.all([c?.destroy(), pooled?.destroy()]);
  });

  const row = async (cluster: Cluster, name: string) => {
    const rows = table(await cluster.ok(['get', 'svc', name]));
    const header = rows[0];
    return Object.fromEntries(header.map((h, i) => [h, rows[1][i]]));
  };

  it('patching a ClusterIP Service to LoadBalancer allocates its node port and then an address from the pool', async () => {
    await c.ok(['create', 'service', 'clusterip', 'frontend', '--tcp=8080:8080']);
    const before = await row(c, 'frontend');
    assert.equal(before.TYPE, 'ClusterIP');
    assert.match(before['CLUSTER-IP'], /^10\.(9[6-9]|1[01]\d)\.\d+\.\d+$/);
    assert.equal(before['PORT(S)'], '8080/TCP');
    assert.equal(await c.ok(['patch', 'svc', 'frontend', '-p', '{"spec":{"type":"LoadBalancer"}}']), 'service/frontend patched\n');
    const after = await eventually(async () => {
      const r = await row(c, 'frontend');
      assert.notEqual(r['EXTERNAL-IP'], '<pending>', 'an external address');
      return r;
    });
    assert.equal(after.TYPE, 'LoadBalancer');
    assert.equal(after['CLUSTER-IP'], before['CLUSTER-IP'], 'the cluster IP is kept');
    assert.match(after['PORT(S)'], /^8080:3\d{4}\/TCP$/);
    assert.equal(after['EXTERNAL-IP'], '127.0.0.100');
  });

  it('refuses a taken or out-of-range node port with the real messages', async () => {
    await c.ok(['create', 'service', 'nodeport', 'np1', '--tcp=80:80', '--node-port=30080']);
    const taken = await c.kubectl(['create', 'service', 'nodeport', 'np2', '--tcp=80:80', '--node-port=30080']);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /Service "np2" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/);
    const out = await c.kubectl(['create', 'service', 'nodeport', 'np3', '--tcp=80:80', '--node-port=8080']);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: 8080: provided port is not in the valid range\. The range of valid ports is 30000-32767/);
  });

  it('keeps a Service <pending> while the pool is exhausted and gives it the address another frees', async () => {
    await pooled.ok(['create', 'service', 'loadbalancer', 'first', '--tcp=80:80']);
    const address = (name: string) => eventually(async () => assert.equal((await row(pooled, name))['EXTERNAL-IP'], '127.0.0.150'));
    await address('first');
    await pooled.ok(['create', 'service', 'loadbalancer', 'second', '--tcp=80:80']);
    await eventually(async () => assert.match(await pooled.ok(['get', 'events', '--field-selector', 'involvedObject.name=second']), /AllocationFailed/));
    assert.equal((await row(pooled, 'second'))['EXTERNAL-IP'], '<pending>');
    await pooled.ok(['delete', 'service', 'first']);
    await address('second');
  });
});
