import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldPatchMeta, type PatchSchema } from '../machinery/patch/schema.js';
import { patchSchemaFor } from './patchmeta.js';
import { groupVersion, RESOURCES } from './resources.js';

/** Follows struct fields (list fields lead to their element struct). */
function at(schema: PatchSchema, path: string) {
  const parts = path.split('.');
  let meta = fieldPatchMeta(schema, parts[0]);
  for (const part of parts.slice(1)) meta = fieldPatchMeta(meta.schema, part);
  return meta;
}

const podSpecOf: Array<[string, string, string]> = [
  ['v1', 'Pod', 'spec'],
  ['apps/v1', 'StatefulSet', 'spec.template.spec'],
  ['apps/v1', 'Deployment', 'spec.template.spec'],
  ['apps/v1', 'ReplicaSet', 'spec.template.spec'],
  ['apps/v1', 'DaemonSet', 'spec.template.spec'],
  ['batch/v1', 'Job', 'spec.template.spec'],
  ['batch/v1', 'CronJob', 'spec.jobTemplate.spec.template.spec'],
];

test('every workload shares one PodSpec descriptor', () => {
  const shared = at(patchSchemaFor('v1', 'Pod'), 'spec').schema;
  assert.ok(shared);
  for (const [apiVersion, kind, path] of podSpecOf) assert.equal(at(patchSchemaFor(apiVersion, kind), path).schema, shared, kind);
});

test('PodSpec and Container struct tags (k8s.io/api core/v1)', () => {
  const pod = patchSchemaFor('v1', 'Pod');
  const expected: Array<[string, object]> = [
    ['spec.containers', { strategy: 'merge', mergeKey: 'name' }],
    ['spec.initContainers', { strategy: 'merge', mergeKey: 'name' }],
    ['spec.ephemeralContainers', { strategy: 'merge', mergeKey: 'name' }],
    ['spec.volumes', { strategy: 'merge', retainKeys: true, mergeKey: 'name' }],
    ['spec.resourceClaims', { strategy: 'merge', retainKeys: true, mergeKey: 'name' }],
    ['spec.imagePullSecrets', { strategy: 'merge', mergeKey: 'name' }],
    ['spec.hostAliases', { strategy: 'merge', mergeKey: 'ip' }],
    ['spec.topologySpreadConstraints', { strategy: 'merge', mergeKey: 'topologyKey' }],
    ['spec.schedulingGates', { strategy: 'merge', mergeKey: 'name' }],
    ['spec.containers.ports', { strategy: 'merge', mergeKey: 'containerPort' }],
    ['spec.containers.env', { strategy: 'merge', mergeKey: 'name' }],
    ['spec.containers.volumeMounts', { strategy: 'merge', mergeKey: 'mountPath' }],
    ['spec.containers.volumeDevices', { strategy: 'merge', mergeKey: 'devicePath' }],
    ['spec.ephemeralContainers.env', { strategy: 'merge', mergeKey: 'name' }],
    ['status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['status.podIPs', { strategy: 'merge', mergeKey: 'ip' }],
    ['status.hostIPs', { strategy: 'merge', mergeKey: 'ip' }],
  ];
  for (const [path, meta] of expected) {
    const { schema: _schema, ...tags } = at(pod, path);
    assert.deepStrictEqual(tags, meta, path);
  }
});

test('atomic lists carry no strategy', () => {
  const pod = patchSchemaFor('v1', 'Pod');
  for (const path of ['spec.tolerations', 'spec.readinessGates', 'spec.containers.args', 'spec.containers.command', 'spec.containers.envFrom', 'spec.containers.resizePolicy']) {
    assert.equal(at(pod, path).strategy, undefined, path);
  }
  assert.equal(at(patchSchemaFor('apps/v1', 'StatefulSet'), 'spec.volumeClaimTemplates').strategy, undefined);
});

test('other kinds: services, nodes, service accounts, statuses, strategies', () => {
  const cases: Array<[string, string, string, object]> = [
    ['v1', 'Service', 'spec.ports', { strategy: 'merge', mergeKey: 'port' }],
    ['v1', 'Service', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'Node', 'spec.podCIDRs', { strategy: 'merge' }],
    ['v1', 'Node', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'Node', 'status.addresses', { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'ServiceAccount', 'secrets', { strategy: 'merge', mergeKey: 'name' }],
    ['v1', 'PersistentVolumeClaim', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'Namespace', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['apps/v1', 'StatefulSet', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['apps/v1', 'Deployment', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['apps/v1', 'ReplicaSet', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['apps/v1', 'DaemonSet', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['apps/v1', 'Deployment', 'spec.strategy', { retainKeys: true }],
    ['policy/v1', 'PodDisruptionBudget', 'spec.selector', { strategy: 'replace' }],
    ['policy/v1', 'PodDisruptionBudget', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['batch/v1', 'Job', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
  ];
  for (const [apiVersion, kind, path, meta] of cases) {
    const { schema: _schema, ...tags } = at(patchSchemaFor(apiVersion, kind), path);
    assert.deepStrictEqual(tags, meta, `${kind} ${path}`);
  }
});

test('every served kind, and any unknown kind, has ObjectMeta patch metadata', () => {
  const kinds = RESOURCES.map((r) => [groupVersion(r), r.kind]).concat([['example.com/v1', 'Widget']]);
  for (const [apiVersion, kind] of kinds) {
    const schema = patchSchemaFor(apiVersion, kind);
    assert.deepStrictEqual(at(schema, 'metadata.ownerReferences'), { strategy: 'merge', mergeKey: 'uid' }, kind);
    assert.deepStrictEqual(at(schema, 'metadata.finalizers'), { strategy: 'merge' }, kind);
  }
  assert.deepStrictEqual(Object.keys(patchSchemaFor('example.com/v1', 'Widget')), ['metadata']);
  assert.deepStrictEqual(Object.keys(patchSchemaFor('v1', 'ConfigMap')), ['metadata']);
});

test('pod templates carry ObjectMeta too', () => {
  assert.deepStrictEqual(at(patchSchemaFor('apps/v1', 'StatefulSet'), 'spec.template.metadata.finalizers'), { strategy: 'merge' });
});
