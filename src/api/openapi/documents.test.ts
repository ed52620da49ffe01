import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { RESOURCES, groupVersions } from '../resources.js';
import { openapiDocument, openapiIndex, openapiPath } from './documents.js';

interface Op {
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': { group: string; version: string; kind: string };
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, unknown> };
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, { 'x-kubernetes-group-version-kind'?: unknown[] }> };
}

const doc = (gv: string) => JSON.parse(openapiDocument(gv)!.body) as Doc;
const STS = '/apis/apps/v1/namespaces/{namespace}/statefulsets';

test('the index lists every served group-version with a content-hashed URL', () => {
  const index = openapiIndex();
  assert.deepEqual(Object.keys(index.paths).sort(), groupVersions().map(openapiPath).sort());
  const apps = openapiDocument('apis/apps/v1')!;
  assert.match(apps.hash, /^[0-9A-F]{128}$/);
  assert.equal(apps.hash, createHash('sha512').update(apps.body).digest('hex').toUpperCase());
  assert.equal(index.paths['apis/apps/v1'].serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${apps.hash}`);
  assert.ok(index.paths['api/v1'].serverRelativeURL.startsWith('/openapi/v3/api/v1?hash='));
});

test('documents are built once and unknown group-versions have none', () => {
  assert.equal(openapiDocument('apis/apps/v1'), openapiDocument('apis/apps/v1'));
  assert.equal(openapiDocument('apis/apps/v2'), undefined);
  assert.equal(openapiDocument('apis/autoscaling/v1'), undefined);
});

test('StatefulSet PATCH carries its GVK and the fieldValidation parameter kubectl looks for', () => {
  const patch = doc('apis/apps/v1').paths[`${STS}/{name}`].patch;
  assert.equal(doc('apis/apps/v1').openapi, '3.0.0');
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'StatefulSet' });
  assert.equal(patch['x-kubernetes-action'], 'patch');
  const names = patch.parameters!.filter((p) => p.in === 'query').map((p) => p.name);
  assert.deepEqual(names, ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
});

test('PATCH does not offer strategic merge patch, so kubectl computes it from its own types', () => {
  for (const gv of groupVersions().map(openapiPath)) {
    for (const item of Object.values(doc(gv).paths)) {
      if (!item.patch) continue;
      assert.deepEqual(Object.keys(item.patch.requestBody!.content).sort(), [
        'application/apply-patch+yaml',
        'application/json-patch+json',
        'application/merge-patch+json',
      ]);
    }
  }
});

test('every patchable kind is found the way kubectl QueryParamVerifierV3 finds it', () => {
  for (const r of RESOURCES.filter((r) => r.verbs.includes('patch'))) {
    const ops = Object.values(doc(openapiPath(r)).paths).map((item) => item.patch).filter((op): op is Op => !!op);
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const op = ops.find((o) => JSON.stringify(o['x-kubernetes-group-version-kind']) === JSON.stringify(gvk));
    assert.ok(op?.parameters?.some((p) => p.name === 'fieldValidation' && p.in === 'query'), r.kind);
  }
});

test('collection, item and subresource paths carry the upstream actions', () => {
  const paths = doc('apis/apps/v1').paths;
  const core = doc('api/v1').paths;
  const actions = (p: string, from = paths) => Object.fromEntries(Object.entries(from[p]).filter(([m]) => m !== 'parameters').map(([m, op]) => [m, op['x-kubernetes-action']]));
  assert.deepEqual(actions(STS), { get: 'list', post: 'post', delete: 'deletecollection' });
  assert.deepEqual(actions(`${STS}/{name}`), { get: 'get', put: 'put', patch: 'patch', delete: 'delete' });
  assert.deepEqual(actions(`${STS}/{name}/status`), { get: 'get', put: 'put', patch: 'patch' });
  assert.deepEqual(paths[`${STS}/{name}/scale`].patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.deepEqual(actions('/apis/apps/v1/statefulsets'), { get: 'list' });
  assert.deepEqual(core['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post['x-kubernetes-group-version-kind'], { group: 'policy', version: 'v1', kind: 'Eviction' });
  assert.equal(core['/api/v1/namespaces/{namespace}/pods/{name}/exec'].get['x-kubernetes-action'], 'connect');
  assert.ok(core['/api/v1/nodes/{name}'].patch, 'cluster-scoped item path');
  assert.deepEqual(actions('/api/v1/namespaces/{namespace}/bindings', core), { post: 'post' });
});

test('components hold every schema reachable from the group-version, with meta types', () => {
  const schemas = doc('apis/apps/v1').components.schemas;
  for (const name of ['io.k8s.api.apps.v1.StatefulSet', 'io.k8s.api.apps.v1.StatefulSetList', 'io.k8s.api.core.v1.PodSpec', 'io.k8s.api.autoscaling.v1.Scale', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString']) {
    assert.ok(schemas[name], name);
  }
  assert.equal(schemas['io.k8s.api.batch.v1.Job'], undefined);
  assert.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']['x-kubernetes-group-version-kind']!.some((g) => JSON.stringify(g) === JSON.stringify({ group: 'apps', kind: 'DeleteOptions', version: 'v1' })));
  const body = openapiDocument('apis/apps/v1')!.body;
  for (const m of body.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(schemas[m[1]], m[1]);
});
