import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { failedMountMessage, volumePayload, type ProjectionInput } from './projection.js';

const pod: Pod = {
  metadata: { name: 'web-0', namespace: 'default', labels: { zone: 'us-est-coast', cluster: 'test-cluster1' }, annotations: { build: 'two' } },
  spec: { containers: [{ name: 'client', image: 'x', resources: { limits: { memory: '64Mi' } } }] },
};
const cm: ConfigMap = { metadata: { name: 'game-config', namespace: 'default' }, data: { 'game.properties': 'lives=3', 'ui.properties': 'color=red' }, binaryData: { 'blob.bin': Buffer.from([0, 1, 2]).toString('base64') } };
const sec: Secret = { metadata: { name: 'creds', namespace: 'default' }, data: { username: Buffer.from('admin').toString('base64') } };
const rootCA: ConfigMap = { metadata: { name: 'kube-root-ca.crt', namespace: 'default' }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\n' } };

const input: ProjectionInput = {
  pod,
  getConfigMap: (_ns, n) => [cm, rootCA].find((c) => c.metadata!.name === n),
  getSecret: (_ns, n) => (n === 'creds' ? sec : undefined),
  nodeAllocatable: { cpu: '2', memory: '4Gi' },
  serviceAccountToken: 'eyJhbGciOi.token',
};

const show = (v: Volume, i = input) => {
  const r = volumePayload(v, i)!;
  return { files: Object.fromEntries([...r.payload].map(([k, f]) => [k, [f.data.toString(), f.mode.toString(8)]])), error: r.error };
};

test('configMap: every key at defaultMode 0644, binaryData decoded', () => {
  const r = volumePayload({ name: 'cfg', configMap: { name: 'game-config' } }, input)!;
  assert.deepEqual([...r.payload.keys()].sort(), ['blob.bin', 'game.properties', 'ui.properties']);
  assert.deepEqual([...r.payload.get('blob.bin')!.data], [0, 1, 2]);
  assert.equal(r.payload.get('game.properties')!.mode, 0o644);
});

test('configMap items map keys to paths with per-item and default modes', () => {
  assert.deepEqual(show({ name: 'cfg', configMap: { name: 'game-config', defaultMode: 0o440, items: [{ key: 'game.properties', path: 'conf/game' }, { key: 'ui.properties', path: 'ui', mode: 0o600 }] } }), {
    files: { 'conf/game': ['lives=3', '440'], ui: ['color=red', '600'] },
    error: undefined,
  });
});

test('configMap errors: missing object and missing key, unless optional', () => {
  assert.equal(show({ name: 'v', configMap: { name: 'nope' } }).error, 'configmap "nope" not found');
  assert.deepEqual(show({ name: 'v', configMap: { name: 'nope', optional: true } }), { files: {}, error: undefined });
  assert.equal(show({ name: 'v', configMap: { name: 'game-config', items: [{ key: 'absent', path: 'a' }] } }).error, 'configmap references non-existent config key: absent');
  assert.deepEqual(show({ name: 'v', configMap: { name: 'game-config', optional: true, items: [{ key: 'absent', path: 'a' }] } }).files, {});
  assert.equal(failedMountMessage('config', 'configmap "nope" not found'), 'MountVolume.SetUp failed for volume "config" : configmap "nope" not found');
});

test('secret: base64 decoded, 0644 by default, missing secret and key errors', () => {
  assert.deepEqual(show({ name: 's', secret: { secretName: 'creds' } }).files, { username: ['admin', '644'] });
  assert.equal(show({ name: 's', secret: { secretName: 'gone' } }).error, 'secret "gone" not found');
  assert.equal(show({ name: 's', secret: { secretName: 'creds', items: [{ key: 'password', path: 'p' }] } }).error, 'references non-existent secret key: password');
});

test('downwardAPI: labels file, annotation subscript, limits in Mi', () => {
  assert.deepEqual(
    show({
      name: 'podinfo',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: './build', fieldRef: { fieldPath: "metadata.annotations['build']" } },
          { path: 'mem_limit', resourceFieldRef: { containerName: 'client', resource: 'limits.memory', divisor: '1Mi' } },
          { path: 'cpu_limit', mode: 0o400, resourceFieldRef: { containerName: 'client', resource: 'limits.cpu' } },
        ],
      },
    }),
    {
      files: { labels: ['cluster="test-cluster1"\nzone="us-est-coast"', '644'], build: ['two', '644'], mem_limit: ['64', '644'], cpu_limit: ['2', '400'] },
      error: undefined,
    },
  );
  assert.equal(show({ name: 'd', downwardAPI: { items: [{ path: 'x', resourceFieldRef: { containerName: 'nope', resource: 'limits.cpu' } }] } }).error, 'container nope not found');
});

const kubeApiAccess: Volume = {
  name: 'kube-api-access-abcde',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};

test('projected kube-api-access volume: token, ca.crt and namespace at 0644', () => {
  assert.deepEqual(show(kubeApiAccess), {
    files: { token: ['eyJhbGciOi.token', '644'], 'ca.crt': ['-----BEGIN CERTIFICATE-----\n', '644'], namespace: ['default', '644'] },
    error: undefined,
  });
  assert.equal(show(kubeApiAccess, { ...input, fsGroup: 1000 }).files.token[1], '600');
});

test('projected errors from several sources are aggregated', () => {
  const v: Volume = { name: 'p', projected: { sources: [{ configMap: { name: 'a' } }, { secret: { name: 'b' } }, { secret: { name: 'creds' } }] } };
  assert.equal(show(v).error, '[configmap "a" not found, secret "b" not found]');
  assert.equal(volumePayload({ name: 'e', emptyDir: {} }, input), undefined);
});
