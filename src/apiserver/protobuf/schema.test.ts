import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupVersion, RESOURCES } from '../../api/resources.js';
import { message, messageForKind } from './schema.js';

test('every served kind and every subresource body has a protobuf message', () => {
  const bodies = RESOURCES.flatMap((r) => [
    { apiVersion: groupVersion(r), kind: r.kind },
    // exec, attach and port-forward take their options from the query, never from a body
    ...r.subresources.filter((s) => !s.kind.endsWith('Options')).map((s) => ({ apiVersion: groupVersion(s), kind: s.kind })),
  ]);
  for (const { apiVersion, kind } of bodies) {
    const type = messageForKind(apiVersion, kind);
    assert.ok(type, `no protobuf message for ${apiVersion} ${kind}`);
    assert.equal(message(type).name, kind);
  }
});

test('field numbers and JSON names follow upstream generated.proto', () => {
  const fields = (type: string) => Object.fromEntries([...message(type).fields].map(([no, f]) => [f.name, no]));
  assert.deepEqual(fields('k8s.io.api.core.v1.ConfigMap'), { metadata: 1, data: 2, binaryData: 3, immutable: 4 });
  assert.deepEqual(fields('k8s.io.apimachinery.pkg.util.intstr.IntOrString'), { type: 1, intVal: 2, strVal: 3 });
  assert.deepEqual(fields('k8s.io.apimachinery.pkg.runtime.Unknown'), { typeMeta: 1, raw: 2, contentEncoding: 3, contentType: 4 });
  // go-to-protobuf named these after the Go field; the JSON names are uid and apiGroup
  assert.equal(message('k8s.io.api.authentication.v1.BoundObjectReference').fields.get(4)?.name, 'uid');
  assert.equal(message('k8s.io.api.networking.v1.IngressClassParametersReference').fields.get(1)?.name, 'apiGroup');
  assert.equal(message('k8s.io.api.core.v1.Probe').fields.get(1)?.mode, 'inline');
  assert.equal(message('k8s.io.api.apps.v1.DeploymentSpec').fields.get(1)?.mode, 'pointer');
});
