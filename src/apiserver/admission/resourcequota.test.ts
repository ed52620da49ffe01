import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Container, Pod, ResourceQuotaSpec, Service } from 'kubernetes-types/core/v1.js';
import { lookupResource, type ResourceInfo } from '../../api/resources.js';
import { VirtualClock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from '../../registry/admission.js';
import { MemoryBackend } from '../../storage/local.js';
import { Store, type KObject } from '../../storage/store.js';
import { RESERVATION_MS, resourceQuotaAdmission } from './resourcequota.js';

const nginx = (resources?: Container['resources']): Container => ({ name: 'nginx', image: 'nginx', resources });
const pod = (name: string, c: Container = nginx(), phase = 'Running'): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: randomUUID() }, spec: { containers: [c] }, status: { phase },
});
const cpu = (request: string, limit = request) => nginx({ requests: { cpu: request }, limits: { cpu: limit } });

function info(group: string, plural: string): ResourceInfo {
  const r = lookupResource(group, 'v1', plural);
  assert.ok(r);
  return r;
}

async function put(store: Store, resource: string, obj: object): Promise<void> {
  const o = structuredClone(obj) as KObject;
  await store.put(resource, 'ns', o.metadata.name ?? '', o, store.get(resource, 'ns', o.metadata.name ?? '')?.rev ?? 0);
}

async function storeWith(quotas: Record<string, ResourceQuotaSpec>): Promise<Store> {
  const store = await Store.open(new MemoryBackend());
  for (const [name, spec] of Object.entries(quotas)) await put(store, 'resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: 'ns' }, spec });
  return store;
}

function attrs(store: Store, r: ResourceInfo, object: object, operation: Operation = 'CREATE', old?: object, dryRun = false): AdmissionAttributes {
  const o = object as KObject;
  return { operation, resource: r, subresource: '', namespace: 'ns', name: o.metadata.name ?? '', object: o, old: old as KObject | undefined, dryRun, store };
}

function refusal(plugin: AdmissionPlugin, a: AdmissionAttributes): string {
  try {
    plugin.validate?.(a);
  } catch (e) {
    assert.ok(isStatusError(e, 'Forbidden'));
    assert.equal(e.code, 403);
    return e.message;
  }
  assert.fail('admitted');
}

const PODS = info('', 'pods');

test('a pod that would go past requests.cpu is refused with the upstream message', async () => {
  const store = await storeWith({ 'compute-quota': { hard: { 'requests.cpu': '1', 'limits.cpu': '2' } } });
  await put(store, 'pods', pod('a', cpu('1')));
  const plugin = resourceQuotaAdmission(new VirtualClock());
  assert.equal(
    refusal(plugin, attrs(store, PODS, pod('x', cpu('500m')))),
    'pods "x" is forbidden: exceeded quota: compute-quota, requested: requests.cpu=500m, used: requests.cpu=1, limited: requests.cpu=1',
  );
});

test('terminal pods and pods past their deletion grace period use no compute quota', async () => {
  const clock = new VirtualClock();
  const store = await storeWith({ q: { hard: { 'requests.cpu': '1', pods: '1', 'count/pods': '10' } } });
  await put(store, 'pods', pod('done', cpu('1'), 'Succeeded'));
  const stuck = pod('stuck', cpu('1'));
  stuck.metadata = { ...stuck.metadata, deletionTimestamp: new Date(clock.now() - 60_000).toISOString(), deletionGracePeriodSeconds: 30 };
  await put(store, 'pods', stuck);
  resourceQuotaAdmission(clock).validate?.(attrs(store, PODS, pod('x', cpu('1'))));
});

test('count/pods counts every pod, terminal or not', async () => {
  const store = await storeWith({ q: { hard: { 'count/pods': '1' } } });
  await put(store, 'pods', pod('done', nginx(), 'Failed'));
  assert.equal(refusal(resourceQuotaAdmission(new VirtualClock()), attrs(store, PODS, pod('x'))), 'pods "x" is forbidden: exceeded quota: q, requested: count/pods=1, used: count/pods=1, limited: count/pods=1');
});

test('a quota on compute resources requires every container to set them', async () => {
  const store = await storeWith({ 'compute-quota': { hard: { 'requests.cpu': '1', 'limits.cpu': '2', 'requests.memory': '1Gi' } } });
  const plugin = resourceQuotaAdmission(new VirtualClock());
  assert.equal(
    refusal(plugin, attrs(store, PODS, pod('x', nginx({ requests: { memory: '100Mi' } })))),
    'pods "x" is forbidden: failed quota: compute-quota: must specify limits.cpu for: nginx; requests.cpu for: nginx',
  );
});

test('services count load balancers and node ports', async () => {
  const store = await storeWith({ q: { hard: { services: '5', 'services.loadbalancers': '1', 'services.nodeports': '2' } } });
  const svc = (name: string, type: string, ports: number): Service => ({
    metadata: { name, namespace: 'ns', uid: randomUUID() }, spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })) },
  });
  await put(store, 'services', svc('lb', 'LoadBalancer', 1));
  const plugin = resourceQuotaAdmission(new VirtualClock());
  const SERVICES = info('', 'services');
  assert.equal(
    refusal(plugin, attrs(store, SERVICES, svc('lb2', 'LoadBalancer', 1))),
    'services "lb2" is forbidden: exceeded quota: q, requested: services.loadbalancers=1, used: services.loadbalancers=1, limited: services.loadbalancers=1',
  );
  assert.equal(
    refusal(plugin, attrs(store, SERVICES, svc('np', 'NodePort', 2))),
    'services "np" is forbidden: exceeded quota: q, requested: services.nodeports=2, used: services.nodeports=1, limited: services.nodeports=2',
  );
  plugin.validate?.(attrs(store, SERVICES, svc('ip', 'ClusterIP', 3)));
});

test('claims count requests.storage, and a resize counts only the growth', async () => {
  const store = await storeWith({ q: { hard: { 'requests.storage': '10Gi', persistentvolumeclaims: '5' } } });
  const claim = (name: string, storage: string) => ({ metadata: { name, namespace: 'ns', uid: 'u-' + name }, spec: { resources: { requests: { storage } } } });
  await put(store, 'persistentvolumeclaims', claim('a', '6Gi'));
  const plugin = resourceQuotaAdmission(new VirtualClock());
  const PVCS = info('', 'persistentvolumeclaims');
  assert.equal(
    refusal(plugin, attrs(store, PVCS, claim('b', '5Gi'))),
    'persistentvolumeclaims "b" is forbidden: exceeded quota: q, requested: requests.storage=5Gi, used: requests.storage=6Gi, limited: requests.storage=10Gi',
  );
  plugin.validate?.(attrs(store, PVCS, claim('a', '10Gi'), 'UPDATE', claim('a', '6Gi')));
  assert.equal(
    refusal(plugin, attrs(store, PVCS, claim('a', '11Gi'), 'UPDATE', claim('a', '6Gi'))),
    'persistentvolumeclaims "a" is forbidden: exceeded quota: q, requested: requests.storage=5Gi, used: requests.storage=6Gi, limited: requests.storage=10Gi',
  );
});

test('count/<resource>.<group> and the legacy object counts', async () => {
  const store = await storeWith({ q: { hard: { 'count/deployments.apps': '1', configmaps: '1' } } });
  await put(store, 'apps/deployments', { metadata: { name: 'd1', namespace: 'ns' } });
  await put(store, 'configmaps', { metadata: { name: 'c1', namespace: 'ns' } });
  const plugin = resourceQuotaAdmission(new VirtualClock());
  assert.equal(
    refusal(plugin, attrs(store, info('apps', 'deployments'), { metadata: { name: 'd2', namespace: 'ns' } })),
    'deployments.apps "d2" is forbidden: exceeded quota: q, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
  );
  assert.equal(
    refusal(plugin, attrs(store, info('', 'configmaps'), { metadata: { name: 'c2', namespace: 'ns' } })),
    'configmaps "c2" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=1, limited: configmaps=1',
  );
  plugin.validate?.(attrs(store, info('', 'secrets'), { metadata: { name: 's', namespace: 'ns' } }));
});

test('scoped quotas count only the pods in their scope', async () => {
  const store = await storeWith({ besteffort: { hard: { pods: '0' }, scopes: ['BestEffort'] } });
  const plugin = resourceQuotaAdmission(new VirtualClock());
  plugin.validate?.(attrs(store, PODS, pod('x', cpu('100m'))));
  assert.equal(refusal(plugin, attrs(store, PODS, pod('y'))), 'pods "y" is forbidden: exceeded quota: besteffort, requested: pods=1, used: pods=0, limited: pods=0');
});

test('an admitted create counts until it is stored, so concurrent creates cannot both pass', async () => {
  const clock = new VirtualClock();
  const store = await storeWith({ q: { hard: { pods: '1' } } });
  const plugin = resourceQuotaAdmission(clock);
  const first = pod('a');
  plugin.validate?.(attrs(store, PODS, first));
  assert.equal(refusal(plugin, attrs(store, PODS, pod('b'))), 'pods "b" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1');
  // Once stored it is counted once, from the store.
  await put(store, 'pods', first);
  assert.match(refusal(plugin, attrs(store, PODS, pod('b'))), /used: pods=1,/);
  await store.remove('pods', 'ns', 'a', first as KObject, store.get('pods', 'ns', 'a')?.rev ?? 0);
  plugin.validate?.(attrs(store, PODS, pod('b')));
});

test('a reservation whose write never lands expires; dry runs reserve nothing', async () => {
  const clock = new VirtualClock();
  const store = await storeWith({ q: { hard: { pods: '1' } } });
  const plugin = resourceQuotaAdmission(clock);
  plugin.validate?.(attrs(store, PODS, pod('dry'), 'CREATE', undefined, true));
  plugin.validate?.(attrs(store, PODS, pod('a')));
  assert.throws(() => plugin.validate?.(attrs(store, PODS, pod('b'))));
  await clock.advance(RESERVATION_MS + 1);
  plugin.validate?.(attrs(store, PODS, pod('b')));
});
