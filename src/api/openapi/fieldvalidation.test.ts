import assert from 'node:assert/strict';
import { test } from 'node:test';
import { strictDecodingError, unknownFields } from './fieldvalidation.js';

const statefulSet = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'web' }) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata, spec });

const template = (containers: unknown[]) => ({ metadata: { labels: { app: 'web' } }, spec: { containers } });

test('a valid StatefulSet with maps, IntOrString, Quantity and lists has no unknown fields', () => {
  const obj = statefulSet(
    {
      replicas: 3,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web', 'app.kubernetes.io/name': 'x' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1, maxUnavailable: '50%' } },
      template: template([
        {
          name: 'nginx',
          image: 'nginx:1.25',
          ports: [{ containerPort: 80, name: 'web' }],
          env: [{ name: 'A', value: '1' }],
          resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: 0.25, 'nvidia.com/gpu': 1 } },
          readinessProbe: { httpGet: { path: '/', port: 'web' }, periodSeconds: 2 },
          livenessProbe: { tcpSocket: { port: 80 } },
        },
      ]),
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
    { name: 'web', labels: { a: 'b' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, creationTimestamp: null },
  );
  assert.deepEqual(unknownFields('apps/v1', 'StatefulSet', obj), []);
});

test('unknown fields are reported with the decoder path, nested and in list items, in document order', () => {
  const obj = statefulSet(
    {
      foo: 1,
      selector: { matchLabels: { app: 'web' } },
      template: template([{ name: 'a', image: 'x' }, { name: 'b', image: 'y', foo: true, ports: [{ containerPort: 1, bar: 2 }] }]),
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { size: '1Gi' } }],
    },
    { name: 'web', bar: 'x' },
  );
  assert.deepEqual(unknownFields('apps/v1', 'StatefulSet', obj), [
    'metadata.bar',
    'spec.foo',
    'spec.template.spec.containers[1].foo',
    'spec.template.spec.containers[1].ports[0].bar',
    'spec.volumeClaimTemplates[0].spec.size',
  ]);
});

test('field names are matched case-sensitively, as the strict decoder does', () => {
  assert.deepEqual(unknownFields('v1', 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { Name: 'x' }, Data: {} }), ['metadata.Name', 'Data']);
});

test('core kinds: quantity maps and IntOrString ports pass, unknown list-item fields do not', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1' } } }], overhead: { cpu: '1' } } };
  assert.deepEqual(unknownFields('v1', 'Pod', pod), []);
  const svc = { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80, targetPort: 'http', nodeport: 1 }], selector: { app: 'x' } } };
  assert.deepEqual(unknownFields('v1', 'Service', svc), ['spec.ports[0].nodeport']);
});

test('free-form RawExtension content and custom-decoded scalars accept anything', () => {
  const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { spec: { template: { anything: [1, { x: 2 }] } } } };
  assert.deepEqual(unknownFields('apps/v1', 'ControllerRevision', rev), []);
  const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', spec: { minAvailable: 2, maxUnavailable: '10%', selector: {} } };
  assert.deepEqual(unknownFields('policy/v1', 'PodDisruptionBudget', pdb), []);
});

test('kinds without a schema are not checked', () => {
  assert.deepEqual(unknownFields('example.com/v1', 'Widget', { spec: { foo: 1 } }), []);
});

test('strictDecodingError words the 400 like the real apiserver', () => {
  const err = strictDecodingError('StatefulSet', 'v1', ['spec.foo', 'spec.template.spec.containers[0].foo']);
  const status = err.toStatus();
  assert.equal(status.code, 400);
  assert.equal(status.reason, 'BadRequest');
  assert.equal(
    status.message,
    'StatefulSet in version "v1" cannot be handled as a StatefulSet: strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].foo"',
  );
  assert.equal(status.details, undefined);
});
