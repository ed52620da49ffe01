import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheListZnode, namesThisServer, type CacheIdentity } from './servermapping.js';

const pod: CacheIdentity = { ip: '10.244.0.12', port: 11211, hostname: 'arcus-mc-0', shortHostname: 'arcus-mc-0' };

test('a mapping by FQDN names the pod whose hostname is its first label, on the same port', () => {
  assert.equal(namesThisServer('arcus-mc-0.mc.default.svc.cluster.local:11211', pod), true);
  assert.equal(namesThisServer('arcus-mc-0.arcus-mc.default.svc.cluster.local:11211', pod), true);
  assert.equal(namesThisServer('arcus-mc-0:11211', pod), true);
  assert.equal(namesThisServer('arcus-mc-1.mc.default.svc.cluster.local:11211', pod), false);
  assert.equal(namesThisServer('arcus-mc-0.mc.default.svc.cluster.local:11212', pod), false);
  assert.equal(namesThisServer('arcus-mc-0.mc.default.svc.cluster.local', pod), false);
});

test('a mapping by the /etc/hosts name of the pod IP matches as ARCUS does', () => {
  const fqdnPod = { ...pod, hostname: 'arcus-mc-0.arcus-mc.default.svc.cluster.local' };
  assert.equal(namesThisServer('arcus-mc-0.arcus-mc.default.svc.cluster.local:11211', fqdnPod), true);
});

test('the cache_list znode is <ip>:<port>-<hostname> under the service code', () => {
  assert.equal(cacheListZnode('test', pod), '/arcus/cache_list/test/10.244.0.12:11211-arcus-mc-0');
});
