import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { REF_PREFIX, definitions, resolve, schemaNameFor } from './definitions.js';

const defs = definitions();
const APPS = 'io.k8s.api.apps.v1';
const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

test('StatefulSetSpec.updateStrategy refers to its type and carries the upstream field documentation', () => {
  assert.deepEqual(defs[`${APPS}.StatefulSetSpec`].properties?.updateStrategy, {
    allOf: [{ $ref: `${REF_PREFIX}${APPS}.StatefulSetUpdateStrategy` }],
    description:
      'updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.',
  });
  assert.equal(resolve(defs[`${APPS}.StatefulSetSpec`].properties!.updateStrategy).properties?.type?.type, 'string');
});

test('required lists the non-optional fields', () => {
  const required = defs[`${APPS}.StatefulSetSpec`].required ?? [];
  assert.ok(required.includes('selector') && required.includes('template'));
  assert.ok(!required.includes('replicas'));
  assert.deepEqual(defs[`${CORE}.Container`].required, ['name']);
});

test('top-level kinds carry x-kubernetes-group-version-kind with the real group names', () => {
  assert.deepEqual(defs[`${APPS}.StatefulSet`]['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'StatefulSet', version: 'v1' }]);
  assert.deepEqual(defs[`${CORE}.Pod`]['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.equal(schemaNameFor({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }), 'io.k8s.api.coordination.v1.Lease');
  assert.equal(schemaNameFor({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding' }), 'io.k8s.api.rbac.v1.ClusterRoleBinding');
  assert.equal(schemaNameFor({ group: 'autoscaling', version: 'v1', kind: 'Scale' }), 'io.k8s.api.autoscaling.v1.Scale');
  assert.equal(defs[`${APPS}.StatefulSetSpec`]['x-kubernetes-group-version-kind'], undefined);
});

test('IntOrString, Quantity and Time are encoded as in the real v3 documents', () => {
  const ios = defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  assert.equal(ios.format, 'int-or-string');
  assert.deepEqual(ios.oneOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.deepEqual(defs['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, [{ type: 'string' }, { type: 'number' }]);
  assert.equal(defs[`${META}.Time`].format, 'date-time');
  assert.deepEqual(defs[`${APPS}.RollingUpdateStatefulSetStrategy`].properties?.maxUnavailable.allOf, [
    { $ref: `${REF_PREFIX}io.k8s.apimachinery.pkg.util.intstr.IntOrString` },
  ]);
});

test('maps become additionalProperties, lists become items', () => {
  const meta = defs[`${META}.ObjectMeta`].properties!;
  assert.equal(meta.labels.type, 'object');
  assert.deepEqual(meta.labels.additionalProperties, { type: 'string' });
  const limits = defs[`${CORE}.ResourceRequirements`].properties!.limits;
  assert.deepEqual(limits.additionalProperties, { $ref: `${REF_PREFIX}io.k8s.apimachinery.pkg.api.resource.Quantity` });
  const containers = defs[`${CORE}.PodSpec`].properties!.containers;
  assert.equal(containers.type, 'array');
  assert.deepEqual(containers.items, { $ref: `${REF_PREFIX}${CORE}.Container` });
});

test('multi-paragraph documentation keeps its paragraphs', () => {
  assert.match(defs[`${META}.FieldsV1`].description ?? '', /^FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format\.\n\nEach key/);
});

test('every $ref names a defined schema', () => {
  const text = readFileSync(new URL('./definitions.json', import.meta.url), 'utf8');
  for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(defs[m[1]], m[1]);
});

test('the generator runs in well under 5 s', async () => {
  const script = new URL('../../../scripts/gen-openapi.mjs', import.meta.url).href;
  const { generate } = (await import(script)) as { generate: () => Record<string, unknown> };
  const start = performance.now();
  const fresh = generate();
  assert.ok(performance.now() - start < 5000);
  assert.deepEqual(Object.keys(fresh), Object.keys(defs));
});
