import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memcachedArgv, parseArcusArgs } from './memcachedargs.js';

test('the args of the ARCUS StatefulSet: -z is taken, -v -m 100 pass through', () => {
  const a = parseArcusArgs(['-v', '-m', '100', '-z', 'zk-cs.default.svc.cluster.local:2181']);
  assert.equal(a.zk, 'zk-cs.default.svc.cluster.local:2181');
  assert.equal(a.port, 11211);
  assert.equal(a.listen, '0.0.0.0');
  assert.equal(a.memoryMB, 100);
  assert.deepEqual(a.memcached, ['-v', '-m', '100']);
});

test('attached and long option values, and defaults', () => {
  const a = parseArcusArgs(['-p11300', '--listen=127.0.0.1', '-vv', '-c', '4096', '--memory-limit=2048', '-t', '4']);
  assert.equal(a.port, 11300);
  assert.equal(a.listen, '127.0.0.1');
  assert.equal(a.memoryMB, 2048);
  assert.deepEqual(a.memcached, ['-vv', '-c', '4096', '-m', '2048', '-t', '4']);
  assert.equal(parseArcusArgs([]).memoryMB, 64);
  assert.equal(parseArcusArgs([]).zk, undefined);
});

test('daemon mode, sockets and ARCUS engine options are not given to Debian memcached', () => {
  const a = parseArcusArgs(['-d', '-U', '0', '-E', '/arcus/lib/default_engine.so', '-X', 'x.so', '-e', 'config_file=a', '-o', '60', '-s', '/x']);
  assert.deepEqual(a.memcached, []);
  assert.equal(a.zkTimeoutSec, 60);
  assert.deepEqual(parseArcusArgs(['-o', 'modern']).memcached, ['-o', 'modern']);
});

test('a bad port is refused', () => {
  assert.throws(() => parseArcusArgs(['-p', 'x']), /invalid port/);
  assert.throws(() => parseArcusArgs(['-p', '70000']), /invalid port/);
});

test('memcached serves only the unix socket, as memcache when started as root', () => {
  const a = parseArcusArgs(['-v', '-m', '100']);
  assert.deepEqual(memcachedArgv(a, '/tmp/s', true), ['-v', '-m', '100', '-u', 'memcache', '-s', '/tmp/s', '-a', '0700']);
  assert.deepEqual(memcachedArgv(parseArcusArgs(['-u', 'root']), '/tmp/s', true), ['-u', 'root', '-s', '/tmp/s', '-a', '0700']);
  assert.deepEqual(memcachedArgv(a, '/tmp/s', false), ['-v', '-m', '100', '-s', '/tmp/s', '-a', '0700']);
});
