import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startZooKeeper, zookeeperAvailable, type ZkServer } from '../../testing/zkserver.js';
import { CreateMode, isZooError, parseConnectString, ZOO_ERR, ZooKeeperClient } from './zookeeper.js';

async function poll<T>(fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

test('connect strings list host:port pairs, 2181 by default', () => {
  assert.deepEqual(parseConnectString('zk-0.zk-hs:2181,zk-1.zk-hs:2182,zk-2'), [
    { host: 'zk-0.zk-hs', port: 2181 }, { host: 'zk-1.zk-hs', port: 2182 }, { host: 'zk-2', port: 2181 },
  ]);
});

describe('against a ZooKeeper server', { skip: !zookeeperAvailable() && 'java or Debian zookeeper not installed' }, () => {
  let server: ZkServer;
  let zk: ZooKeeperClient;
  before(async () => {
    server = await startZooKeeper();
    zk = await ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: 10000 });
  });
  after(async () => {
    await zk?.close();
    await server?.stop();
  });

  test('create, getData, getChildren, exists and delete', async () => {
    assert.equal(await zk.create('/t1', 'root data'), '/t1');
    assert.equal(await zk.create('/t1/a', Buffer.from([1, 2, 3])), '/t1/a');
    assert.equal(await zk.create('/t1/b', null), '/t1/b');
    assert.deepEqual((await zk.getChildren('/t1')).sort(), ['a', 'b']);
    const { data, stat } = await zk.getData('/t1');
    assert.equal(data?.toString(), 'root data');
    assert.equal(stat.dataLength, 9);
    assert.equal(stat.numChildren, 2);
    assert.equal(stat.ephemeralOwner, 0n);
    assert.equal((await zk.getData('/t1/b')).data, null);
    await zk.delete('/t1/b');
    assert.equal(await zk.exists('/t1/b'), null);
    assert.equal((await zk.exists('/t1'))?.numChildren, 1);
  });

  test('errors carry ZooKeeper codes', async () => {
    await zk.create('/t2', null);
    await assert.rejects(zk.create('/t2', null), (e) => isZooError(e, ZOO_ERR.nodeExists));
    await assert.rejects(zk.create('/missing/child', null), (e) => isZooError(e, ZOO_ERR.noNode));
    await assert.rejects(zk.getChildren('/missing'), (e) => isZooError(e, ZOO_ERR.noNode));
    await zk.create('/t2/c', null);
    await assert.rejects(zk.delete('/t2'), (e) => isZooError(e, ZOO_ERR.notEmpty));
  });

  test('sequential znodes get a 10-digit counter', async () => {
    await zk.create('/t3', null);
    assert.equal(await zk.create('/t3/n-', 'x', CreateMode.persistentSequential), '/t3/n-0000000000');
    assert.equal(await zk.create('/t3/n-', 'x', CreateMode.persistentSequential), '/t3/n-0000000001');
  });

  test('an ephemeral znode is owned by the session and goes when the session closes', async () => {
    const owner = await ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: 10000 });
    await zk.create('/t4', null);
    await owner.create('/t4/e', '100MB', CreateMode.ephemeral);
    assert.equal((await zk.exists('/t4/e'))?.ephemeralOwner, owner.sessionId);
    await owner.close();
    await zk.sync('/t4');
    assert.equal(await zk.exists('/t4/e'), null);
  });

  test('pings keep an idle session alive past its timeout', async () => {
    const idle = await ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: 1500 });
    assert.equal(idle.timeoutMs, 1500);
    await idle.create('/t5', null, CreateMode.ephemeral);
    await new Promise((r) => setTimeout(r, 3000));
    assert.notEqual(await zk.exists('/t5'), null);
    assert.equal((await idle.exists('/t5'))?.ephemeralOwner, idle.sessionId);
    await idle.close();
  });

  test('a session that is not pinged expires and its ephemeral znode goes', async () => {
    // A raw connection (no pings) is what a crashed or frozen client looks like to the server.
    const frozen = await ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: 1000 });
    await frozen.create('/t6', null, CreateMode.ephemeral);
    (frozen as unknown as { pingTimer: NodeJS.Timeout }).pingTimer.close();
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await zk.exists('/t6'), null);
    await frozen.close();
  });

  test('a connection lost to a server restart is re-established with the same session', async () => {
    const holder = await ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: 10000 });
    await holder.create('/t7', null, CreateMode.ephemeral);
    const id = holder.sessionId;
    await zk.close();
    await server.restart();
    zk = await ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: 10000 });
    const stat = await poll(async () => (await holder.exists('/t7').catch(() => undefined)) ?? undefined);
    assert.equal(holder.sessionId, id);
    assert.equal(stat.ephemeralOwner, id);
    await holder.close();
    assert.equal(await zk.exists('/t7'), null);
  });

  test('connecting to an ensemble with no server up fails within the session timeout', async () => {
    const t0 = Date.now();
    await assert.rejects(ZooKeeperClient.connect('127.0.0.1:1', { sessionTimeoutMs: 1500 }));
    assert.ok(Date.now() - t0 < 4000);
  });
});
