import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Namespace, Service } from 'kubernetes-types/core/v1.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupResource } from '../api/resources.js';
import { VirtualClock } from '../machinery/clock.js';
import { StatusError } from '../machinery/errors.js';
import { MemoryBackend } from '../storage/local.js';
import { Store } from '../storage/store.js';
import { bootstrap } from '../server/bootstrap.js';
import { defaultAdmission } from '../apiserver/admission/index.js';
import type { WatchEvent } from './options.js';
import { Registry } from './rest.js';
import { watch } from './watch.js';

const STS = lookupResource('apps', 'v1', 'statefulsets')!;
const PODS = lookupResource('', 'v1', 'pods')!;
const CMS = lookupResource('', 'v1', 'configmaps')!;
const NS = lookupResource('', 'v1', 'namespaces')!;

async function registry(): Promise<{ reg: Registry; clock: VirtualClock }> {
  const clock = new VirtualClock();
  const reg = new Registry(await Store.open(new MemoryBackend()), clock, defaultAdmission());
  await bootstrap(reg, { ip: '192.168.49.1', port: 6443 }, clock.now());
  return { reg, clock };
}

const web = () => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web' },
  spec: { replicas: 2, serviceName: 'nginx', selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
});

function rejects(fn: () => unknown, code: number, reason: string, message?: RegExp): Promise<void> {
  return assert.rejects(async () => fn(), (e: unknown) => {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.reason, reason);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('Registry', () => {
  it('creates with server-owned metadata, defaults, generation 1 and no client status', async () => {
    const { reg } = await registry();
    const created = await reg.create(STS, 'default', { ...web(), status: { replicas: 9 }, metadata: { name: 'web', uid: 'mine', resourceVersion: '7' } });
    assert.match(created.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(created.metadata.generation, 1);
    assert.equal(created.metadata.creationTimestamp, '2026-01-01T00:00:00Z');
    assert.equal((created as StatefulSet).spec?.podManagementPolicy, 'OrderedReady');
    assert.equal(created.status, undefined);
    await rejects(() => reg.create(STS, 'default', web()), 409, 'AlreadyExists', /statefulsets.apps "web" already exists/);
  });

  it('bumps generation on spec changes only and keeps status out of the main resource', async () => {
    const { reg } = await registry();
    const created = await reg.create(STS, 'default', web());
    const withStatus = await reg.update(STS, 'default', 'web', { ...structuredClone(created), status: { replicas: 2, availableReplicas: 0 } }, {}, 'status');
    assert.equal(withStatus.metadata.generation, 1);
    assert.equal((withStatus as StatefulSet).status?.replicas, 2);
    const labelled = await reg.patch(STS, 'default', 'web', 'merge', '{"metadata":{"labels":{"a":"b"}},"status":{"replicas":5}}');
    assert.equal(labelled.metadata.generation, 1);
    assert.equal((labelled as StatefulSet).status?.replicas, 2, 'status cannot be written through the main resource');
    const scaled = await reg.patch(STS, 'default', 'web', 'strategic', '{"spec":{"replicas":3}}');
    assert.equal(scaled.metadata.generation, 2);
    assert.ok(Number(scaled.metadata.resourceVersion) > Number(labelled.metadata.resourceVersion));
  });

  it('skips writes that change nothing', async () => {
    const { reg } = await registry();
    const created = await reg.create(STS, 'default', web());
    const same = await reg.patch(STS, 'default', 'web', 'merge', '{"spec":{"replicas":2}}');
    assert.equal(same.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  it('enforces resourceVersion and uid preconditions with Conflict', async () => {
    const { reg } = await registry();
    const created = await reg.create(CMS, 'default', { metadata: { name: 'c' }, data: { a: '1' } });
    const stale = { ...structuredClone(created), data: { a: '2' } };
    await reg.update(CMS, 'default', 'c', { ...structuredClone(created), data: { a: '3' } });
    await rejects(() => reg.update(CMS, 'default', 'c', stale), 409, 'Conflict', /the object has been modified; please apply your changes to the latest version and try again/);
    await rejects(() => reg.patch(CMS, 'default', 'c', 'merge', '{"metadata":{"uid":"other"}}'), 409, 'Conflict', /Precondition failed: UID in precondition: other/);
    await rejects(() => reg.delete(CMS, 'default', 'c', { preconditions: { resourceVersion: '1' } }), 409, 'Conflict');
  });

  it('validates with field causes and refuses missing or terminating namespaces', async () => {
    const { reg } = await registry();
    const bad = web();
    bad.spec.replicas = -1;
    await rejects(() => reg.create(STS, 'default', bad), 422, 'Invalid', /spec.replicas: Invalid value: -1: must be greater than or equal to 0/);
    await rejects(() => reg.create(CMS, 'nowhere', { metadata: { name: 'c' } }), 404, 'NotFound', /namespaces "nowhere" not found/);
    await reg.create(NS, '', { metadata: { name: 'doomed' } });
    await reg.delete(NS, '', 'doomed');
    assert.equal((reg.get(NS, '', 'doomed') as Namespace).status?.phase, 'Terminating');
    await rejects(() => reg.create(CMS, 'doomed', { metadata: { name: 'c' } }), 403, 'Forbidden', /because it is being terminated/);
  });

  it('keeps objects with finalizers until they are removed', async () => {
    const { reg } = await registry();
    await reg.create(CMS, 'default', { metadata: { name: 'c', finalizers: ['example.com/hold'] } });
    const deleting = await reg.delete(CMS, 'default', 'c');
    assert.ok(deleting.metadata.deletionTimestamp);
    assert.equal(reg.get(CMS, 'default', 'c').metadata.finalizers?.[0], 'example.com/hold');
    await reg.patch(CMS, 'default', 'c', 'merge', '{"metadata":{"finalizers":null}}');
    await rejects(() => reg.get(CMS, 'default', 'c'), 404, 'NotFound');
  });

  it('records Orphan and Foreground propagation as finalizers', async () => {
    const { reg } = await registry();
    await reg.create(STS, 'default', web());
    assert.deepEqual((await reg.delete(STS, 'default', 'web', { propagationPolicy: 'Orphan' })).metadata.finalizers, ['orphan']);
    assert.deepEqual((await reg.delete(STS, 'default', 'web', { propagationPolicy: 'Foreground' })).metadata.finalizers, ['foregroundDeletion']);
  });

  it('deletes bound pods gracefully and unbound ones at once', async () => {
    const { reg, clock } = await registry();
    const pod = (name: string, nodeName?: string) => ({ metadata: { name }, spec: { nodeName, terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'nginx' }] } });
    await reg.create(PODS, 'default', pod('bound', 'k8ts'));
    await reg.create(PODS, 'default', pod('free'));
    const terminating = await reg.delete(PODS, 'default', 'bound');
    assert.equal(terminating.metadata.deletionGracePeriodSeconds, 30);
    assert.equal(terminating.metadata.deletionTimestamp, new Date(clock.now() + 30_000).toISOString().replace('.000Z', 'Z'));
    await reg.delete(PODS, 'default', 'free');
    await rejects(() => reg.get(PODS, 'default', 'free'), 404, 'NotFound');
    await reg.delete(PODS, 'default', 'bound', { gracePeriodSeconds: 0 });
    await rejects(() => reg.get(PODS, 'default', 'bound'), 404, 'NotFound');
  });

  it('generates names, honours dryRun and pages lists', async () => {
    const { reg } = await registry();
    const g = await reg.create(CMS, 'default', { metadata: { generateName: 'cfg-' } });
    assert.match(g.metadata.name ?? '', /^cfg-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    await reg.create(CMS, 'default', { metadata: { name: 'dry' } }, { dryRun: true });
    await rejects(() => reg.get(CMS, 'default', 'dry'), 404, 'NotFound');
    for (const n of ['a', 'b', 'c', 'd']) await reg.create(CMS, 'default', { metadata: { name: n, labels: { page: 'yes' } } });
    const first = reg.list(CMS, 'default', { labelSelector: 'page=yes', limit: 3 });
    assert.deepEqual(first.items.map((o) => o.metadata.name), ['a', 'b', 'c']);
    assert.equal(first.metadata.remainingItemCount, 1);
    const second = reg.list(CMS, 'default', { labelSelector: 'page=yes', limit: 3, continue: first.metadata.continue });
    assert.deepEqual(second.items.map((o) => o.metadata.name), ['d']);
    assert.equal(second.metadata.continue, undefined);
  });

  it('watches with selectors: objects entering or leaving the selection are ADDED or DELETED', async () => {
    const { reg } = await registry();
    await reg.create(CMS, 'default', { metadata: { name: 'x', labels: { app: 'a' } } });
    const events: WatchEvent[] = [];
    const stop = watch(reg, CMS, 'default', { labelSelector: 'app=a' }, (ev) => events.push(ev));
    await reg.patch(CMS, 'default', 'x', 'merge', '{"metadata":{"labels":{"app":"b"}}}');
    await reg.patch(CMS, 'default', 'x', 'merge', '{"metadata":{"labels":{"app":"a"}}}');
    await reg.patch(CMS, 'default', 'x', 'merge', '{"data":{"k":"v"}}');
    await reg.delete(CMS, 'default', 'x');
    stop();
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'DELETED', 'ADDED', 'MODIFIED', 'DELETED']);
  });

  it('serves the scale subresource', async () => {
    const { reg } = await registry();
    await reg.create(STS, 'default', web());
    const { getScale, patchScale, updateScale } = await import('./scale.js');
    const scale = getScale(reg, STS, 'default', 'web');
    assert.deepEqual(scale.spec, { replicas: 2 });
    assert.equal(scale.status?.selector, 'app=nginx');
    await updateScale(reg, STS, 'default', 'web', { ...scale, spec: { replicas: 4 } });
    assert.equal((reg.get(STS, 'default', 'web') as StatefulSet).spec?.replicas, 4);
    await rejects(() => updateScale(reg, STS, 'default', 'web', { ...scale, spec: { replicas: 1 } }), 409, 'Conflict');
    await rejects(() => updateScale(reg, STS, 'default', 'web', { spec: { replicas: -1 } }), 422, 'Invalid', /Scale.autoscaling "web" is invalid/);
    await patchScale(reg, STS, 'default', 'web', 'strategic', '{"spec":{"replicas":5}}');
    assert.equal((reg.get(STS, 'default', 'web') as StatefulSet).spec?.replicas, 5);
    await rejects(() => patchScale(reg, STS, 'default', 'web', 'json', '[{"op":"test","path":"/spec/replicas","value":9}]'), 422, 'Invalid');
    await rejects(() => patchScale(reg, STS, 'default', 'web', 'merge', '{"spec":'), 400, 'BadRequest');
  });

  it('gives concurrent Service creates distinct cluster IPs and node ports', async () => {
    const { reg } = await registry();
    const SVC = lookupResource('', 'v1', 'services')!;
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => reg.create(SVC, 'default', { metadata: { name: `s${i}` }, spec: { type: 'NodePort', ports: [{ port: 80 }] } })),
    );
    const ips = created.map((s) => (s as Service).spec?.clusterIP);
    const ports = created.map((s) => (s as Service).spec?.ports?.[0].nodePort);
    assert.equal(new Set(ips).size, 20, ips.join(' '));
    assert.equal(new Set(ports).size, 20, ports.join(' '));
  });

  it('allocates node ports when a Service becomes a LoadBalancer and releases them when it goes back to ClusterIP', async () => {
    const { reg } = await registry();
    const SVC = lookupResource('', 'v1', 'services')!;
    const svc = (await reg.create(SVC, 'default', { metadata: { name: 'web' }, spec: { ports: [{ port: 8080 }] } })) as Service;
    assert.equal(svc.spec?.ports?.[0].nodePort, undefined);
    const lb = (await reg.patch(SVC, 'default', 'web', 'merge', '{"spec":{"type":"LoadBalancer"}}')) as Service;
    const port = lb.spec?.ports?.[0].nodePort ?? 0;
    assert.ok(port >= 30000 && port <= 32767, String(port));
    assert.equal(lb.spec?.clusterIP, svc.spec?.clusterIP, 'the cluster IP stays');
    const relabelled = (await reg.patch(SVC, 'default', 'web', 'merge', '{"metadata":{"labels":{"a":"b"}}}')) as Service;
    assert.equal(relabelled.spec?.ports?.[0].nodePort, port, 'an unrelated change keeps the port');
    const back = (await reg.patch(SVC, 'default', 'web', 'merge', '{"spec":{"type":"ClusterIP"}}')) as Service;
    assert.equal(back.spec?.ports?.[0].nodePort, undefined);
  });

  it('answers 400 for fields of the wrong JSON type on create, update and merge patch, storing nothing', async () => {
    const { reg } = await registry();
    const cm = (data: unknown) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data });
    const number = /^ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string$/;
    await rejects(() => reg.create(CMS, 'default', cm({ k: 123 })), 400, 'BadRequest', number);
    await rejects(() => reg.get(CMS, 'default', 'c'), 404, 'NotFound');
    const created = await reg.create(CMS, 'default', cm({ k: 'v' }));
    await rejects(() => reg.update(CMS, 'default', 'c', { ...structuredClone(created), data: 'str' }), 400, 'BadRequest', /of type map\[string\]string$/);
    await rejects(() => reg.patch(CMS, 'default', 'c', 'merge', '{"data":{"v":5}}'), 400, 'BadRequest', number);
    await rejects(() => reg.patch(CMS, 'default', 'c', 'merge', '{"metadata":{"labels":{"a":1}}}'), 400, 'BadRequest', /ObjectMeta.metadata.labels of type string$/);
    assert.deepEqual(reg.get(CMS, 'default', 'c'), created);
  });
});
