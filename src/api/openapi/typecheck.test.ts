import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeError, typeErrors } from './typecheck.js';

const cm = (x: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, ...x });
const pod = (c: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }, { name: 'd', image: 'i', ...c }] } });
const check = (o: { apiVersion: string; kind: string; [field: string]: unknown }) => typeErrors(o.apiVersion, o.kind, o);
const into = (field: string, type: string, value = 'string') => `json: cannot unmarshal ${value} into Go struct field ${field} of type ${type}`;

test('map and list fields of the wrong JSON type are reported with the innermost struct and the full path', () => {
  assert.equal(check(cm({ data: { k: 123 } })), into('ConfigMap.data', 'string', 'number'));
  assert.equal(check(cm({ data: 'str' })), into('ConfigMap.data', 'map[string]string'));
  assert.equal(check(cm({ metadata: { labels: { a: 1 } } })), into('ObjectMeta.metadata.labels', 'string', 'number'));
  assert.equal(check(cm({ metadata: { labels: ['a'] } })), into('ObjectMeta.metadata.labels', 'map[string]string', 'array'));
  assert.equal(check(cm({ metadata: { ownerReferences: 'x' } })), into('ObjectMeta.metadata.ownerReferences', '[]v1.OwnerReference'));
  assert.equal(check(cm({ metadata: { finalizers: 'abc' } })), into('ObjectMeta.metadata.finalizers', '[]string'));
  assert.equal(check({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: 'app' } }), into('ServiceSpec.spec.selector', 'map[string]string'));
});

test('nested list items keep the path without indices', () => {
  assert.equal(check(pod({ ports: 'x' })), into('Container.spec.containers.ports', '[]v1.ContainerPort'));
  assert.equal(check(pod({ env: { a: 1 } })), into('Container.spec.containers.env', '[]v1.EnvVar', 'object'));
  assert.equal(check(pod({ env: [{ name: 'A', value: 1 }] })), into('EnvVar.spec.containers.env.value', 'string', 'number'));
});

test('integers out of range or fractional are reported with their value', () => {
  assert.equal(check(pod({ ports: [{ containerPort: 99999999999 }] })), into('ContainerPort.spec.containers.ports.containerPort', 'int32', 'number 99999999999'));
  assert.equal(check(pod({ ports: [{ containerPort: 1.5 }] })), into('ContainerPort.spec.containers.ports.containerPort', 'int32', 'number 1.5'));
  assert.equal(check(pod({ ports: [{ containerPort: '80' }] })), into('ContainerPort.spec.containers.ports.containerPort', 'int32'));
});

test('IntOrString, Quantity, Time and null accept their forms', () => {
  const probe = (port: unknown) => pod({ readinessProbe: { httpGet: { port } }, livenessProbe: { tcpSocket: { port: 'web' } } });
  assert.equal(check(probe(8080)), undefined);
  assert.equal(check(probe('http')), undefined);
  assert.equal(check(probe({})), into('HTTPGetAction.spec.containers.readinessProbe.httpGet.port', 'int32', 'object'));
  assert.equal(check(pod({ resources: { limits: { cpu: 0.5, memory: '1Gi' }, requests: { cpu: '250m' } } })), undefined);
  assert.equal(check(pod({ resources: { limits: { cpu: true } } })), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  assert.equal(check(cm({ metadata: { name: 'a', creationTimestamp: '2026-01-01T00:00:00Z' } })), undefined);
  assert.equal(check(cm({ metadata: { creationTimestamp: 'x' } })), 'parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"');
  assert.equal(check(cm({ metadata: { creationTimestamp: 5 } })), into('ObjectMeta.metadata.creationTimestamp', 'string', 'number'));
  assert.equal(check(cm({ data: null, metadata: { name: 'a', labels: null, creationTimestamp: null } })), undefined);
});

test('Secret data must be base64; kinds without a schema always decode', () => {
  const secret = (data: unknown) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data });
  assert.equal(check(secret({ a: 'YWJj' })), undefined);
  assert.equal(check(secret({ a: 'abc' })), 'illegal base64 data at input byte 0');
  assert.equal(check(secret({ a: 1 })), into('Secret.data', '[]uint8', 'number'));
  assert.equal(typeErrors('example.com/v1', 'Widget', { spec: 1 }), undefined);
});

test('the first saved type error wins, in document order', () => {
  assert.equal(check(cm({ metadata: { labels: { a: 1 } }, data: { k: 2 } })), into('ObjectMeta.metadata.labels', 'string', 'number'));
});

test('decodeError wraps the message as a 400 BadRequest', () => {
  const e = decodeError('ConfigMap', 'v1', 'boom');
  assert.equal(e.code, 400);
  assert.equal(e.reason, 'BadRequest');
  assert.equal(e.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: boom');
});

test('int64 fields take values beyond int32, int32 fields do not', () => {
  const big = 3_000_000_000;
  const withSpec = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', generation: big }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } });
  assert.equal(check(withSpec({ activeDeadlineSeconds: big, terminationGracePeriodSeconds: big, securityContext: { runAsUser: big, supplementalGroups: [big] } })), undefined);
  assert.equal(check(withSpec({ activeDeadlineSeconds: 1.5 })), into('PodSpec.spec.activeDeadlineSeconds', 'int64', 'number 1.5'));
  assert.equal(check(pod({ ports: [{ containerPort: big }] })), into('ContainerPort.spec.containers.ports.containerPort', 'int32', `number ${big}`));
});
