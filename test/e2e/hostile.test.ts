// Hostile and careless requests: each gets the Status a real API server gives, the server stays up, and
// nothing it did not name changes (a snapshot of the stored objects is compared before and after).

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { StoredList } from '../../src/client/objects.js';
import { request, startCluster, type Cluster, type HttpResult } from './harness.js';

const JSON_TYPE = { 'Content-Type': 'application/json' };

function status(r: HttpResult): { code: number; reason: string; message: string } {
  const s = JSON.parse(r.body);
  assert.equal(s.kind, 'Status', r.body);
  assert.equal(s.code, r.status);
  return s;
}

function assertStatus(r: HttpResult, code: number, reason: string, message?: RegExp): void {
  assert.equal(r.status, code, r.body);
  const s = status(r);
  assert.equal(s.reason, reason, r.body);
  if (message) assert.match(s.message, message);
}

describe('hostile requests', () => {
  let c: Cluster;
  /** Every object of the kinds these tests aim at, as stored. */
  const snapshot = async () => {
    const out: Record<string, unknown> = {};
    for (const kind of ['namespaces', 'configmaps', 'secrets', 'services']) {
      const list = JSON.parse((await request(c, 'GET', `/api/v1/${kind}`)).body);
      for (const o of list.items) out[`${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`] = o;
    }
    return out;
  };
  let before_: Record<string, unknown>;

  before(async () => {
    c = await startCluster();
    await c.ok(['create', 'namespace', 'victim']);
    await c.ok(['create', 'configmap', 'keep', '-n', 'victim', '--from-literal=a=b']);
    await c.ok(['create', 'configmap', 'other', '-n', 'victim', '--from-literal=c=d']);
    await c.ok(['create', 'secret', 'generic', 's', '-n', 'victim', '--from-literal=k=v']);
    before_ = await snapshot();
  });
  after(async () => {
    await c.destroy();
  });

  it('routes on the raw path: dot segments name nothing and delete nothing', async () => {
    for (const name of ['..', '%2e%2e', '%2E%2E', '.', '%2e']) {
      const r = await request(c, 'DELETE', `/api/v1/namespaces/victim/configmaps/${name}`);
      assertStatus(r, 400, 'BadRequest', /^Name parameter invalid: "\.\.?": may not be '\.\.?'$/);
    }
    assertStatus(await request(c, 'GET', '/api/v1/namespaces/victim/configmaps/a%2Fb'), 400, 'BadRequest', /may not contain '\/'/);
    assert.equal((await request(c, 'GET', '/api/v1/namespaces/victim/configmaps/keep/..')).status, 404);
    assert.equal((await request(c, 'GET', '/api/v1/namespaces/victim')).status, 200);
    assert.deepEqual(await snapshot(), before_);
  });

  it('refuses fields of the wrong type on create, update and every patch, so typed clients can still read', async () => {
    const cm = (extra: string) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typed"${extra}}`;
    const creates: Array<[string, string, RegExp]> = [
      ['configmaps', cm('},"data":{"k":123}'), /^ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string$/],
      ['configmaps', cm('},"data":"str"'), /cannot unmarshal string into Go struct field ConfigMap.data of type map\[string\]string/],
      ['configmaps', cm(',"labels":{"a":1}}'), /cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string/],
      ['configmaps', cm(',"labels":["a"]}'), /cannot unmarshal array into Go struct field ObjectMeta.metadata.labels/],
      ['configmaps', cm(',"ownerReferences":"x"}'), /ObjectMeta.metadata.ownerReferences of type \[\]v1.OwnerReference/],
      ['configmaps', cm(',"finalizers":"abc"}'), /ObjectMeta.metadata.finalizers of type \[\]string/],
      ['services', '{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"selector":"app","ports":[{"port":80}]}}', /ServiceSpec.spec.selector of type map\[string\]string/],
      ['pods', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","ports":"x"}]}}', /Container.spec.containers.ports of type \[\]v1.ContainerPort/],
      ['pods', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","env":{"a":1}}]}}', /Container.spec.containers.env of type \[\]v1.EnvVar/],
    ];
    for (const [plural, body, message] of creates) {
      assertStatus(await request(c, 'POST', `/api/v1/namespaces/victim/${plural}`, body, JSON_TYPE), 400, 'BadRequest', message);
    }
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typed}\ndata: {k: 123}\n';
    assertStatus(await request(c, 'POST', '/api/v1/namespaces/victim/configmaps', yaml, { 'Content-Type': 'application/yaml' }), 400, 'BadRequest', /ConfigMap.data of type string/);
    for (const [type, body] of [
      ['application/merge-patch+json', '{"data":{"v":5}}'],
      ['application/strategic-merge-patch+json', '{"data":{"v":5}}'],
      ['application/json-patch+json', '[{"op":"replace","path":"/data","value":"str"}]'],
    ]) {
      assertStatus(await request(c, 'PATCH', '/api/v1/namespaces/victim/configmaps/keep', body, { 'Content-Type': type }), 400, 'BadRequest', /cannot unmarshal/);
    }
    const current = JSON.parse((await request(c, 'GET', '/api/v1/namespaces/victim/configmaps/keep')).body);
    current.data = { a: 7 };
    assertStatus(await request(c, 'PUT', '/api/v1/namespaces/victim/configmaps/keep', JSON.stringify(current), JSON_TYPE), 400, 'BadRequest', /ConfigMap.data of type string/);
    assert.match(await c.ok(['describe', 'configmap', 'keep', '-n', 'victim']), /^Name:\s+keep$/m);
    assert.deepEqual(await snapshot(), before_);
  });

  it('answers a malformed escape with 400', async () => {
    assertStatus(await request(c, 'GET', '/api/v1/namespaces/victim/configmaps/%ZZ'), 400, 'BadRequest', /invalid URL escape "%ZZ"/);
  });

  it('refuses DeleteOptions that do not decode and changes nothing', async () => {
    const bad = [
      ['{"gracePeriodSeconds":"abc"}', /cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64/],
      ['{"gracePeriodSeconds":1.5}', /cannot unmarshal number 1.5 into Go struct field DeleteOptions.gracePeriodSeconds of type int64/],
      ['{"preconditions":"x"}', /DeleteOptions.preconditions of type v1.Preconditions/],
      ['{"orphanDependents":"yes"}', /DeleteOptions.orphanDependents of type bool/],
      ['{"dryRun":"All"}', /DeleteOptions.dryRun of type \[\]string/],
      ['[1]', /cannot unmarshal array into Go value of type v1.DeleteOptions/],
      ['{"gracePeriodSeconds":', /the object provided is unrecognized/],
    ] as const;
    for (const [body, message] of bad) {
      assertStatus(await request(c, 'DELETE', '/api/v1/namespaces/victim/configmaps/keep', body, JSON_TYPE), 400, 'BadRequest', message);
    }
    assertStatus(await request(c, 'DELETE', '/api/v1/namespaces/victim/configmaps/keep?gracePeriodSeconds=abc'), 400, 'BadRequest');
    assertStatus(await request(c, 'DELETE', '/api/v1/namespaces/victim/configmaps/keep?gracePeriodSeconds=99999999999999'), 400, 'BadRequest', /year 9999/);
    assertStatus(await request(c, 'DELETE', '/api/v1/namespaces/victim/configmaps/keep?propagationPolicy=Sideways'), 422, 'Invalid', /propagationPolicy: Unsupported value: "Sideways"/);
    assert.deepEqual(await snapshot(), before_);
  });

  it('refuses bodies nested beyond the limit in every content type and verb, and stays up', async () => {
    const n = 100_000;
    const deepJSON = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":${'['.repeat(n)}${']'.repeat(n)}}`;
    assertStatus(await request(c, 'POST', '/api/v1/namespaces/victim/configmaps', deepJSON, JSON_TYPE), 400, 'BadRequest', /exceeded max depth/);
    const deepPatch = `{"data":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`;
    for (const type of ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json']) {
      const body = type === 'application/json-patch+json' ? `[{"op":"add","path":"/data/x","value":${'['.repeat(n)}${']'.repeat(n)}}]` : deepPatch;
      assertStatus(await request(c, 'PATCH', '/api/v1/namespaces/victim/configmaps/keep', body, { 'Content-Type': type }), 400, 'BadRequest', /exceeded max depth/);
    }
    const yamlBodies = [`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ${'['.repeat(n)}${']'.repeat(n)}\n`, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: ${'- '.repeat(n)}a\n`];
    for (let i = 0; i < 5; i++) {
      for (const y of yamlBodies) {
        assertStatus(await request(c, 'POST', '/api/v1/namespaces/victim/configmaps', y, { 'Content-Type': 'application/yaml' }), 400, 'BadRequest', /exceeded max depth/);
      }
    }
    // A YAML alias inside itself is a value without end.
    const cyclic = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nbinaryData: &a [ *a ]\n';
    assertStatus(await request(c, 'POST', '/api/v1/namespaces/victim/configmaps', cyclic, { 'Content-Type': 'application/yaml' }), 400, 'BadRequest');
    assert.equal((await request(c, 'GET', '/readyz')).status, 200);
    assert.deepEqual(await snapshot(), before_);
  });

  it('ignores a negative or zero limit', async () => {
    for (const limit of ['-1', '0']) {
      const r = await request(c, 'GET', `/api/v1/namespaces/victim/configmaps?limit=${limit}`);
      assert.equal(r.status, 200, r.body);
      const list = JSON.parse(r.body) as StoredList<ConfigMap>;
      assert.deepEqual(list.items.map((o) => o.metadata.name).sort(), ['keep', 'kube-root-ca.crt', 'other']);
      assert.equal(list.metadata.continue, undefined);
    }
    assertStatus(await request(c, 'GET', '/api/v1/namespaces/victim/configmaps?limit=1e3'), 400, 'BadRequest');
  });

  it('answers 400 for a resourceVersion that is not a number, before any stream or comparison', async () => {
    const cm = JSON.parse((await request(c, 'GET', '/api/v1/namespaces/victim/configmaps/keep')).body);
    cm.metadata.resourceVersion = 'abc';
    const put = await request(c, 'PUT', '/api/v1/namespaces/victim/configmaps/keep', JSON.stringify(cm), JSON_TYPE);
    assertStatus(put, 400, 'BadRequest', /resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax/);
    const patch = await request(c, 'PATCH', '/api/v1/namespaces/victim/configmaps/keep', '{"metadata":{"resourceVersion":"abc"}}', { 'Content-Type': 'application/merge-patch+json' });
    assertStatus(patch, 400, 'BadRequest');
    const watch = await request(c, 'GET', '/api/v1/namespaces/victim/configmaps?watch=true&resourceVersion=abc');
    assertStatus(watch, 400, 'BadRequest', /strconv.ParseUint/);
    assert.deepEqual(await snapshot(), before_);
  });

  it('answers a watch from the far future with 504 Too large resource version', async () => {
    const r = await request(c, 'GET', '/api/v1/namespaces/victim/configmaps?watch=1&resourceVersion=999999999');
    assertStatus(r, 504, 'Timeout', /^Timeout: Too large resource version: 999999999, current: \d+$/);
    const s = JSON.parse(r.body);
    assert.deepEqual(s.details.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
    assert.equal(s.details.retryAfterSeconds, 1);
  });

  it('reads boolean parameters as Go does', async () => {
    const list = JSON.parse((await request(c, 'GET', '/api/v1/namespaces/victim/configmaps')).body);
    const rv = list.metadata.resourceVersion;
    // watch=True (the Python client) is a watch: it ends by its timeout and carries the change made meanwhile.
    const watching = request(c, 'GET', `/api/v1/namespaces/victim/configmaps?watch=True&resourceVersion=${rv}&timeoutSeconds=1`);
    await c.ok(['label', 'configmap', 'other', '-n', 'victim', 'seen=yes']);
    const w = await watching;
    assert.equal(w.status, 200);
    const events = w.body.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['MODIFIED', 'other']]);
    await c.ok(['label', 'configmap', 'other', '-n', 'victim', 'seen-']);
    assertStatus(await request(c, 'GET', '/api/v1/namespaces/victim/configmaps?watch=yes'), 400, 'BadRequest', /strconv.ParseBool: parsing "yes": invalid syntax/);
    const pretty = await request(c, 'GET', '/api/v1/namespaces/victim/configmaps/keep?pretty=T');
    assert.match(pretty.body, /^\{\n {2}"apiVersion": "v1",\n {2}"kind": "ConfigMap",\n/);
    // The labelling above was this test's own change.
    before_ = await snapshot();
  });

  it('encodes Status like the real server: field order and a trailing newline', async () => {
    const r = await request(c, 'GET', '/api/v1/namespaces/victim/configmaps/missing');
    assert.equal(
      r.body,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"missing\\" not found","reason":"NotFound","details":{"name":"missing","kind":"configmaps"},"code":404}\n',
    );
  });

  it('answers plain HTTP on the HTTPS port as Go does', async () => {
    const url = new URL(c.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(url.port), url.hostname, () => s.write('GET /version HTTP/1.1\r\nHost: x\r\n\r\n'));
      let text = '';
      s.on('data', (d) => (text += d));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    assert.equal(reply, 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
    assert.equal((await request(c, 'GET', '/version')).status, 200);
  });

  it('decodes subresource and review bodies as their kinds: wrong shapes are a 400, never a 500', async () => {
    const token = '/api/v1/namespaces/victim/serviceaccounts/default/token';
    for (const body of ['null', '[]', '"x"']) {
      assertStatus(await request(c, 'POST', token, body, JSON_TYPE), 400, 'BadRequest', /the object provided is unrecognized \(must be of type TokenRequest\)/);
    }
    assertStatus(await request(c, 'POST', token, '{"spec":"x"}', JSON_TYPE), 400, 'BadRequest', /TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal string into Go struct field TokenRequest\.spec/);
    assertStatus(await request(c, 'POST', token, '{"spec":{"expirationSeconds":"abc"}}', JSON_TYPE), 400, 'BadRequest', /cannot unmarshal string into Go struct field TokenRequestSpec\.spec\.expirationSeconds of type int64/);
    const review = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
    assertStatus(await request(c, 'POST', review, '{"spec":{"resourceAttributes":"x"}}', JSON_TYPE), 400, 'BadRequest', /cannot be handled as a SelfSubjectAccessReview/);
    assertStatus(await request(c, 'POST', review, '{"spec":{"resourceAttributes":{"verb":5}}}', JSON_TYPE), 400, 'BadRequest', /cannot unmarshal number/);
    assertStatus(await request(c, 'POST', '/api/v1/namespaces/victim/pods/none/binding', '{"target":"node"}', JSON_TYPE), 400, 'BadRequest', /cannot be handled as a Binding/);
    assertStatus(await request(c, 'PUT', '/api/v1/namespaces/victim/finalize', '[1]', JSON_TYPE), 400, 'BadRequest', /must be of type Namespace/);
  });

  it('takes an impersonation extra key that does not unescape as written', async () => {
    const r = await request(c, 'GET', '/api', undefined, { 'Impersonate-User': 'jane', 'Impersonate-Extra-%ZZ': 'x' });
    assert.equal(r.status, 200, r.body);
  });

  it('still works for kubectl after all of it', async () => {
    assert.match(await c.ok(['get', 'configmap', 'keep', '-n', 'victim']), /keep/);
    assert.deepEqual(await snapshot(), before_);
  });
});
