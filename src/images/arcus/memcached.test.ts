import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, startZooKeeper, zookeeperAvailable, type ZkServer } from '../../testing/zkserver.js';
import { ZooKeeperClient } from './zookeeper.js';

const LAUNCHER = fileURLToPath(new URL('./main-memcached.js', import.meta.url));
const ZKCLI = fileURLToPath(new URL('./main-zkcli.js', import.meta.url));
const available = zookeeperAvailable() && existsSync('/usr/bin/memcached');

function run(script: string, args: string[]): { proc: ChildProcess; exit: Promise<number | null>; output: () => string } {
  let output = '';
  const proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const exit = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, exit, output: () => output };
}

/** Sends text to a memcached port and collects the reply until it ends with `until`. */
function ask(port: number, text: string, until: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    s.on('data', (d) => {
      out += d;
      if (out.endsWith(until)) { s.end(); resolve(out); }
    });
    s.on('error', reject);
  });
}

/** What a client that half-closes after its request (`echo version | nc host 11211`) reads. */
function askHalfClosed(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => s.end(text));
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

async function poll<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function memcachedPid(launcher: ChildProcess): number {
  const kids = readFileSync(`/proc/${launcher.pid}/task/${launcher.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const pid = kids.find((k) => readFileSync(`/proc/${k}/comm`, 'utf8').trim() === 'memcached');
  assert.ok(pid, 'memcached runs as a child of the launcher');
  return pid;
}

describe('arcus-memcached and zkcli against ZooKeeper', { skip: !available && 'java, zookeeper or memcached not installed' }, () => {
  let server: ZkServer;
  let zk: ZooKeeperClient;
  const running: ChildProcess[] = [];
  before(async () => {
    server = await startZooKeeper();
    zk = await ZooKeeperClient.connect(server.connectString);
  });
  after(async () => {
    for (const p of running) if (p.exitCode === null) p.kill('SIGKILL');
    await zk?.close();
    await server?.stop();
  });

  async function startCache(svc: string): Promise<{ port: number; launcher: ReturnType<typeof run>; znode: string }> {
    const port = await freePort();
    const add = run(ZKCLI, ['arcus.memcached', 'add', server.connectString, `${os.hostname()}.mc.default.svc.cluster.local:${port}`, svc]);
    assert.equal(await add.exit, 0, add.output());
    const launcher = run(LAUNCHER, ['-v', '-m', '100', '-z', server.connectString, '-p', String(port), '-l', '127.0.0.1']);
    running.push(launcher.proc);
    const name = await poll(async () => (await zk.getChildren(`/arcus/cache_list/${svc}`))[0], 'the cache_list znode');
    return { port, launcher, znode: `/arcus/cache_list/${svc}/${name}` };
  }

  test('zkcli maps the server by name and creates the service parents', async () => {
    const add = run(ZKCLI, ['arcus.memcached', 'add', server.connectString, 'arcus-mc-9.mc.default.svc.cluster.local:11211', 'svc0']);
    assert.equal(await add.exit, 0, add.output());
    assert.deepEqual(await zk.getChildren('/arcus/cache_server_mapping/arcus-mc-9.mc.default.svc.cluster.local:11211'), ['svc0']);
    assert.deepEqual(await zk.getChildren('/arcus/cache_list/svc0'), []);
    assert.notEqual(await zk.exists('/arcus/client_list/svc0'), null);
    const again = run(ZKCLI, ['arcus.memcached', 'add', server.connectString, 'arcus-mc-9.mc.default.svc.cluster.local:11211', 'svc0']);
    assert.equal(await again.exit, 0, 'adding the same mapping again succeeds');
    const other = run(ZKCLI, ['arcus.memcached', 'add', server.connectString, 'arcus-mc-9.mc.default.svc.cluster.local:11211', 'svc1']);
    assert.equal(await other.exit, 1);
    assert.match(other.output(), /already mapped to service code svc0/);
    const usage = run(ZKCLI, ['arcus.memcached', 'add', server.connectString]);
    assert.equal(await usage.exit, 2);
  });

  test('the server joins its service, answers as ARCUS 1.13.5, and leaves on SIGTERM', async () => {
    const { port, launcher, znode } = await startCache('test');
    assert.match(znode, new RegExp(`^/arcus/cache_list/test/127\\.0\\.0\\.1:${port}-.+`));
    assert.equal((await zk.getData(znode)).data?.toString(), '100MB');
    assert.equal(await ask(port, 'version\r\n', '\r\n'), 'VERSION 1.13.5\r\n');
    assert.equal(await askHalfClosed(port, 'version\n'), 'VERSION 1.13.5\r\n');
    const value = 'VERSION 0.0.1';
    assert.equal(await ask(port, `set k 3 0 ${value.length}\r\n${value}\r\nget k\r\n`, 'END\r\n'), `STORED\r\nVALUE k 3 ${value.length}\r\n${value}\r\nEND\r\n`);
    assert.match(await ask(port, 'stats settings\r\n', 'END\r\n'), /STAT maxbytes 104857600\r\n/);
    launcher.proc.kill('SIGTERM');
    assert.equal(await launcher.exit, 0);
    assert.equal(await zk.exists(znode), null, 'the session was closed, so the ephemeral znode is gone at once');
  });

  test('when memcached dies the launcher exits with its status and the znode goes', async () => {
    const { launcher, znode } = await startCache('test2');
    process.kill(memcachedPid(launcher.proc), 'SIGKILL');
    assert.equal(await launcher.exit, 137);
    assert.equal(await zk.exists(znode), null);
  });

  test('without a server mapping the launcher stops memcached and fails', async () => {
    const port = await freePort();
    const launcher = run(LAUNCHER, ['-z', server.connectString, '-p', String(port), '-l', '127.0.0.1']);
    running.push(launcher.proc);
    assert.equal(await launcher.exit, 76);
    assert.match(launcher.output(), /cannot find the server mapping for 127\.0\.0\.1:\d+/);
  });
});
