// ResourceQuota and LimitRange admission with the real kubectl (defaults set by the LimitRanger, the
// real `exceeded quota` 403, usage in `kubectl describe quota`), and namespace deletion: Terminating
// with upstream's conditions while content remains, then gone with everything in it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, table, type Cluster } from './harness.js';
import { eventually } from './pod-watch.js';

const LIMITS = `apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - type: Container
    default: {cpu: 500m}
    defaultRequest: {cpu: 500m}
`;

describe('quotas, limits and namespace deletion', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--sim-start-delay', '0']);
    await c.ok(['create', 'namespace', 'team']);
  });
  after(async () => {
    await c?.destroy();
  });

  it('defaults container resources from the LimitRange and refuses what exceeds the quota', async () => {
    assert.equal(await c.ok(['create', 'quota', 'compute', '--hard=requests.cpu=1,limits.cpu=2,pods=2', '-n', 'team']), 'resourcequota/compute created\n');
    assert.equal(await c.ok(['apply', '-n', 'team', '-f', '-'], LIMITS), 'limitrange/defaults created\n');
    await c.ok(['run', 'a', '--image=nginx', '-n', 'team']);
    const pod = await c.json<{ spec: { containers: Array<{ resources: unknown }> }; metadata: { annotations: Record<string, string> } }>(['get', 'pod', 'a', '-n', 'team']);
    assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '500m' }, requests: { cpu: '500m' } });
    assert.equal(pod.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu request for container a; cpu limit for container a');
    await c.ok(['run', 'b', '--image=nginx', '-n', 'team']);
    const refused = await c.kubectl(['run', 'c', '--image=nginx', '-n', 'team']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim(), 'Error from server (Forbidden): pods "c" is forbidden: exceeded quota: compute, requested: pods=1,requests.cpu=500m, used: pods=2,requests.cpu=1, limited: pods=2,requests.cpu=1');
    await eventually(async () => {
      const rows = table(await c.ok(['get', 'quota', '-n', 'team']));
      assert.deepEqual(rows[0], ['NAME', 'AGE', 'REQUEST', 'LIMIT']);
      assert.equal(rows[1][0], 'compute');
      assert.deepEqual(rows[1].slice(2).join(' '), 'pods: 2/2, requests.cpu: 1/1 limits.cpu: 1/2');
    });
    assert.match(await c.ok(['describe', 'quota', 'compute', '-n', 'team']), /limits\.cpu\s+1\s+2\npods\s+2\s+2\nrequests\.cpu\s+1\s+1/);
  });

  it('deleting the namespace shows Terminating with the deletion conditions, then removes it and its contents', async () => {
    await c.ok(['create', 'configmap', 'held', '-n', 'team', '--from-literal=a=b']);
    await c.ok(['patch', 'configmap', 'held', '-n', 'team', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    assert.equal(await c.ok(['delete', 'namespace', 'team', '--wait=false']), 'namespace "team" deleted\n');
    await eventually(async () => {
      assert.deepEqual(table(await c.ok(['get', 'ns', 'team']))[1].slice(0, 2), ['team', 'Terminating']);
      const described = await c.ok(['describe', 'ns', 'team']);
      assert.match(described, /NamespaceFinalizersRemaining\s+True\s+.*SomeFinalizersRemain\s+Some content in the namespace has finalizers remaining: example\.com\/hold in 1 resource instances/);
      assert.match(described, /NamespaceContentRemaining\s+True\s+.*SomeResourcesRemain\s+Some resources are remaining: configmaps\. has 1 resource instances/);
    });
    // The pods go with their grace period while the finalizer keeps the ConfigMap, and so the namespace.
    await eventually(async () => assert.equal((await c.kubectl(['get', 'pods', '-n', 'team'])).stderr.trim(), 'No resources found in team namespace.'));
    assert.deepEqual(table(await c.ok(['get', 'ns', 'team']))[1].slice(0, 2), ['team', 'Terminating']);
    await c.ok(['patch', 'configmap', 'held', '-n', 'team', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    assert.equal(await c.ok(['wait', '--for=delete', 'namespace/team', '--timeout=30s']), 'namespace/team condition met\n');
    const gone = await c.kubectl(['get', 'ns', 'team']);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): namespaces "team" not found');
  });
});
