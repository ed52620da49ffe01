import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, PersistentVolumeClaim, Pod, ResourceQuota, Service } from 'kubernetes-types/core/v1.js';
import { lookupResource } from '../../api/resources.js';
import { REFS } from '../../client/client.js';
import { isStatusError } from '../../machinery/errors.js';
import { testCluster, waitFor } from '../../testing/fixture.js';
import { formatList, podLimits, podRequests, quotaUsage, usageOf } from '../../api/quota/evaluator.js';
import { RESOURCE_QUOTAS, ResourceQuotaController } from './resource_quota_controller.js';

const c = (name: string, cpu: string, extra: Partial<Container> = {}): Container => ({ name, image: 'x', resources: { requests: { cpu }, limits: { cpu } }, ...extra });
const PODS = { group: '', plural: 'pods' };

test('pod requests: containers add up, an init container needs its own room next to the sidecars before it', () => {
  const pod: Pod = { spec: { containers: [c('a', '100m'), c('b', '200m')], initContainers: [c('init', '500m')] } };
  assert.deepEqual(formatList(podRequests(pod)), { cpu: '500m' });
  pod.spec!.initContainers = [c('sidecar', '100m', { restartPolicy: 'Always' }), c('init', '500m')];
  assert.deepEqual(formatList(podRequests(pod)), { cpu: '600m' });
  pod.spec!.overhead = { cpu: '50m', memory: '10Mi' };
  assert.deepEqual(formatList(podRequests(pod)), { cpu: '650m', memory: '10Mi' });
  assert.deepEqual(formatList(podLimits(pod)), { cpu: '650m' });
});

test('usage of services and claims under their quota names', () => {
  const lb: Service = { spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80, nodePort: 30080 }, { port: 443 }] } };
  assert.deepEqual(formatList(usageOf({ group: '', plural: 'services' }, lb, 0)), {
    'count/services': '1', services: '1', 'services.nodeports': '1', 'services.loadbalancers': '1',
  });
  const pvc: PersistentVolumeClaim = { spec: { storageClassName: 'gold', resources: { requests: { storage: '1536Mi' } } } };
  assert.deepEqual(formatList(usageOf({ group: '', plural: 'persistentvolumeclaims' }, pvc, 0)), {
    'count/persistentvolumeclaims': '1', persistentvolumeclaims: '1', 'requests.storage': '1536Mi',
    'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '1', 'gold.storageclass.storage.k8s.io/requests.storage': '1536Mi',
  });
  assert.deepEqual(formatList(usageOf({ group: 'apps', plural: 'deployments' }, {}, 0)), { 'count/deployments.apps': '1' });
});

test('quota usage: every hard name gets a value, terminal pods only count in count/pods', () => {
  const q: ResourceQuota = { spec: { hard: { pods: '5', 'count/pods': '5', 'requests.cpu': '2', 'limits.memory': '1Gi' } } };
  const pods: Pod[] = [
    { spec: { containers: [c('a', '500m')] }, status: { phase: 'Running' } },
    { spec: { containers: [c('b', '1')] }, status: { phase: 'Succeeded' } },
    { spec: { containers: [c('c', '250m')] } },
  ];
  const used = quotaUsage(q, pods.map((object) => ({ resource: PODS, object })), 0);
  assert.deepEqual(formatList(used), { pods: '2', 'count/pods': '3', 'requests.cpu': '750m', 'limits.memory': '0' });
});

const registered = Boolean(lookupResource('', 'v1', 'resourcequotas'));

test('the controller keeps status.hard and status.used current', { skip: !registered && 'resourcequotas is not in src/api/resources.ts yet' }, async () => {
  const cluster = await testCluster();
  const ctrl = new ResourceQuotaController(cluster.ctx);
  await cluster.start();
  ctrl.start();
  try {
    const quotas = cluster.client.resource(RESOURCE_QUOTAS);
    const ns = 'default';
    await cluster.client.resource(REFS.serviceaccounts).create(ns, { metadata: { name: 'default' } }).catch((e: unknown) => {
      if (!isStatusError(e, 'AlreadyExists')) throw e;
    });
    await quotas.create(ns, { metadata: { name: 'compute-quota' }, spec: { hard: { pods: '4', 'requests.cpu': '1', 'requests.memory': '1Gi', secrets: '10' } } });
    const secrets = (await cluster.client.resource(REFS.secrets).list(ns)).items.length;
    const status = async () => (await quotas.get(ns, 'compute-quota')).status;
    await waitFor(async () => (await status())?.used?.pods === '0', 'an empty namespace');
    assert.deepEqual((await status())?.hard, { pods: '4', 'requests.cpu': '1', 'requests.memory': '1Gi', secrets: '10' });
    assert.deepEqual((await status())?.used, { pods: '0', 'requests.cpu': '0', 'requests.memory': '0', secrets: String(secrets) });

    const pod: Pod = { metadata: { name: 'nginx' }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: { requests: { cpu: '500m', memory: '256Mi' } } }] } };
    await cluster.client.resource(REFS.pods).create(ns, pod);
    await waitFor(async () => (await status())?.used?.pods === '1', 'the pod counted');
    assert.deepEqual((await status())?.used, { pods: '1', 'requests.cpu': '500m', 'requests.memory': '256Mi', secrets: String(secrets) });

    await cluster.client.resource(REFS.pods).delete(ns, 'nginx', { gracePeriodSeconds: 0 });
    await waitFor(async () => (await status())?.used?.['requests.cpu'] === '0', 'the pod gone');
  } finally {
    ctrl.stop();
    cluster.stop();
  }
});
