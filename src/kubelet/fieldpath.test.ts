import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { containerResourceValue, extractFieldPathAsString, formatMap, goQuote, podFieldRuntimeValue, splitSubscriptedPath } from './fieldpath.js';

const pod: Pod = {
  metadata: { name: 'web-0', namespace: 'default', uid: 'u-1', labels: { app: 'web', 'apps.kubernetes.io/pod-index': '0' }, annotations: { note: 'say "hi"\n' } },
  spec: {
    nodeName: 'node-1',
    serviceAccountName: 'default',
    containers: [{ name: 'c', image: 'x', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m', memory: '32Mi' } } }],
  },
  status: { podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }, { ip: 'fd00::5' }], hostIP: '192.168.1.10' },
};

test('subscripted paths split like SplitMaybeSubscriptedPath', () => {
  assert.deepEqual(splitSubscriptedPath("metadata.labels['app']"), ['metadata.labels', 'app']);
  assert.equal(splitSubscriptedPath('metadata.labels'), undefined);
  assert.equal(splitSubscriptedPath("['app']"), undefined);
});

test('labels and annotations are sorted key="value" lines with Go quoting', () => {
  assert.equal(extractFieldPathAsString(pod, 'metadata.labels'), 'app="web"\napps.kubernetes.io/pod-index="0"');
  assert.equal(extractFieldPathAsString(pod, 'metadata.annotations'), 'note="say \\"hi\\"\\n"');
  assert.equal(formatMap(undefined), '');
  assert.equal(goQuote('tab\there\x00é'), '"tab\\there\\x00é"');
});

test('metadata, spec and status fields', () => {
  assert.equal(extractFieldPathAsString(pod, "metadata.labels['app']"), 'web');
  assert.equal(extractFieldPathAsString(pod, 'metadata.uid'), 'u-1');
  assert.throws(() => extractFieldPathAsString(pod, 'spec.nodeName'), /unsupported fieldPath: spec.nodeName/);
  const f = (fieldPath: string) => podFieldRuntimeValue({ fieldPath }, pod, {});
  assert.equal(f('spec.nodeName'), 'node-1');
  assert.equal(f('status.podIP'), '10.244.0.5');
  assert.equal(f('status.podIPs'), '10.244.0.5,fd00::5');
  assert.equal(f('status.hostIP'), '192.168.1.10');
  assert.equal(podFieldRuntimeValue({ fieldPath: 'status.podIP' }, pod, { podIPs: ['10.0.0.9'] }), '10.0.0.9');
});

test('resource values use the divisor, round up, and fall back to node allocatable for limits', () => {
  const c = pod.spec!.containers[0];
  const alloc = { cpu: '4', memory: '8Gi' };
  assert.equal(containerResourceValue({ resource: 'limits.cpu' }, pod, c, alloc), '4');
  assert.equal(containerResourceValue({ resource: 'requests.cpu' }, pod, c, alloc), '1');
  assert.equal(containerResourceValue({ resource: 'requests.cpu', divisor: '1m' }, pod, c, alloc), '250');
  assert.equal(containerResourceValue({ resource: 'limits.memory', divisor: '1Mi' }, pod, c, alloc), '64');
  assert.equal(containerResourceValue({ resource: 'limits.memory' }, pod, c, alloc), String(64 * 1024 * 1024));
  assert.equal(containerResourceValue({ resource: 'requests.memory', divisor: '1Gi' }, pod, c, alloc), '1');
  assert.equal(containerResourceValue({ resource: 'limits.memory', containerName: 'c', divisor: '1Mi' }, pod, undefined, alloc), '64');
  assert.throws(() => containerResourceValue({ resource: 'limits.memory', containerName: 'nope' }, pod, undefined, alloc), /container nope not found/);
  assert.throws(() => containerResourceValue({ resource: 'limits.pods' }, pod, c, alloc), /unsupported container resource : limits.pods/);
});
