// The ZooKeeper tutorial (../shared/seeds/001, section 4) with real ZooKeeper servers on three process
// nodes: the ensemble forms from the StatefulSet's stable names (myid from the ordinal, zoo.cfg by FQDN,
// one leader and two followers), data written on one member is read on another and survives deleting
// and re-creating the StatefulSet, a killed JVM restarts the container, a removed readiness script
// makes the liveness probe restart it, and the rolling update / history / undo of the tutorial. Then
// the ARCUS cache cluster of ../shared/seeds/000 on that ensemble: memcached servers registered in
// ZooKeeper by their init container, each holding its ephemeral znode while it runs.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startCluster, type Cluster } from './harness.js';
import { eventually } from './pod-watch.js';

const skip = process.getuid?.() === 0 ? false : 'the process runtime needs root';
// The tutorial's manifest, with a shorter grace period: its PID 1 is `sh -c start-zookeeper ...`, which
// ignores SIGTERM, so each pod deletion would wait out the default 30 s before the SIGKILL.
const ZK = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/e2e/fixtures/zookeeper.yaml'), 'utf8').replace(
  /^(\s+)affinity:/m,
  '$1terminationGracePeriodSeconds: 3\n$1affinity:',
);
const MEMBERS = [0, 1, 2];
// The seed's manifest names its Service and StatefulSet arcus-mc, but its output and its init
// container's server FQDN ($(POD_NAME).mc.default...) use mc: run it with the names the author used.
const ARCUS = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/e2e/fixtures/arcus-memcached.yaml'), 'utf8').replace(/name: arcus-mc$/gm, 'name: mc').replace(/serviceName: arcus-mc$/m, 'serviceName: mc');

describe('ZooKeeper ensemble with real servers', { skip }, () => {
  let c: Cluster;
  const restarts = async (pod: string) => Number(await c.ok(['get', 'pod', pod, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']));
  const ready = async () => assert.equal(await c.ok(['get', 'sts', 'zk', '-o', 'jsonpath={.status.readyReplicas}']), '3');
  /** `kubectl rollout status`, given longer than the harness's one minute per kubectl. */
  const rollout = async (sts: string, seconds: number) => {
    const r = await c.kubectl(['rollout', 'status', `sts/${sts}`, `--timeout=${seconds}s`], undefined, (seconds + 10) * 1000);
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  // What a user sees in the terminal: zkCli.sh prints some results on stderr.
  const zkCli = async (pod: string, ...args: string[]) => {
    const r = await c.kubectl(['exec', pod, '--', 'zkCli.sh', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout + r.stderr;
  };

  before(async () => {
    c = await startCluster(['--nodes', '4', '--runtime', 'process']);
    await c.ok(['apply', '-f', '-'], ZK);
    await rollout('zk', 180);
  });
  after(async () => c?.destroy());

  it('each member has its ordinal as myid, zoo.cfg names the members by FQDN, one leader and two followers', async () => {
    for (const i of MEMBERS) {
      assert.equal((await c.ok(['exec', `zk-${i}`, '--', 'hostname'])).trim(), `zk-${i}`);
      assert.equal((await c.ok(['exec', `zk-${i}`, '--', 'cat', '/var/lib/zookeeper/data/myid'])).trim(), String(i + 1));
    }
    const cfg = await c.ok(['exec', 'zk-0', '--', 'cat', '/opt/zookeeper/conf/zoo.cfg']);
    for (const i of MEMBERS) assert.match(cfg, new RegExp(`^server\\.${i + 1}=zk-${i}\\.zk-hs\\.default\\.svc\\.cluster\\.local:2888:3888$`, 'm'));
    assert.match(cfg, /^clientPort=2181$/m);
    const modes = await eventually(async () => {
      const m = [];
      for (const i of MEMBERS) m.push(/Mode: (\w+)/.exec(await c.ok(['exec', `zk-${i}`, '--', 'sh', '-c', 'echo srvr | nc localhost 2181']))?.[1]);
      assert.deepEqual([...m].sort(), ['follower', 'follower', 'leader']);
      return m;
    }, 30_000);
    assert.equal(modes.length, 3);
    // The volume is group-owned by fsGroup 1000 and group-writable, as the kubelet leaves it.
    assert.match(await c.ok(['exec', 'zk-0', '--', 'stat', '-c', '%A %g', '/var/lib/zookeeper/data']), /^drwxr-s\S+ 1000\n$/);
  });

  it('a znode written on zk-0 is read on zk-1, and survives deleting and re-creating the StatefulSet', async () => {
    assert.match(await zkCli('zk-0', 'create', '/hello', 'world'), /Created \/hello/);
    assert.match(await zkCli('zk-1', 'get', '/hello'), /^world$/m);
    await c.ok(['delete', 'statefulset', 'zk']);
    await eventually(async () => assert.equal(await c.ok(['get', 'pods', '-l', 'app=zk', '-o', 'name']), ''), 120_000);
    await c.ok(['apply', '-f', '-'], ZK);
    await rollout('zk', 180);
    // Ready (ruok) comes before the members have re-elected a leader; clients retry meanwhile.
    await eventually(async () => assert.match(await zkCli('zk-2', 'get', '/hello'), /^world$/m), 30_000);
  });

  it('killing the JVM restarts the container (RESTARTS 1)', async () => {
    const before = await restarts('zk-0');
    await c.kubectl(['exec', 'zk-0', '--', 'pkill', 'java']);
    await eventually(async () => assert.equal(await restarts('zk-0'), before + 1), 60_000);
    await eventually(ready, 120_000);
  });

  it('removing the readiness script makes the liveness probe restart the container', async () => {
    const before = await restarts('zk-1');
    await c.ok(['exec', 'zk-1', '--', 'rm', '/usr/bin/zookeeper-ready']);
    await eventually(async () => assert.equal(await restarts('zk-1'), before + 1), 90_000);
    const events = await c.ok(['get', 'events', '--field-selector', 'involvedObject.name=zk-1', '-o', 'custom-columns=REASON:.reason,MESSAGE:.message', '--no-headers']);
    assert.match(events, /Unhealthy\s+Liveness probe failed: sh: 1: zookeeper-ready: not found/);
    await eventually(ready, 120_000);
  });

  it('a template change rolls the members one by one; history and undo as in the tutorial', async () => {
    await c.ok(['patch', 'sts', 'zk', '--type=json', '-p=[{"op": "replace", "path": "/spec/template/spec/containers/0/resources/requests/cpu", "value":"0.3"}]']);
    const status = await rollout('zk', 300);
    assert.match(status, /statefulset rolling update complete 3 pods at revision zk-\w+\.\.\./);
    assert.match(await c.ok(['rollout', 'history', 'sts/zk']), /^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/m);
    assert.match(await c.ok(['rollout', 'undo', 'sts/zk']), /statefulset.apps\/zk rolled back/);
    await rollout('zk', 300);
    await eventually(async () => assert.match(await zkCli('zk-0', 'get', '/hello'), /^world$/m), 30_000);
  });

  it('ARCUS: each memcached server registers its ephemeral znode under its service code, answers version, and scaling moves the znodes', async () => {
    const cacheList = async () => {
      const out = await zkCli('zk-0', 'ls', '/arcus/cache_list/test');
      const m = /^\[(.*)\]$/m.exec(out);
      assert.ok(m, out);
      return m[1] ? m[1].split(', ').sort() : [];
    };
    const expected = async (n: number) => {
      const names = [];
      // <ip>:<port>-<hostname>, the host name being what getnameinfo gives for the IP, as ARCUS asks:
      // the pod's FQDN from its /etc/hosts.
      for (let i = 0; i < n; i++) names.push(`${await c.ok(['get', 'pod', `mc-${i}`, '-o', 'jsonpath={.status.podIP}'])}:11211-mc-${i}.mc.default.svc.cluster.local`);
      return names.sort();
    };
    // The ensemble serves clients again after the rollback before the cache servers are added.
    await eventually(async () => assert.match(await zkCli('zk-1', 'ls', '/'), /\[.*zookeeper.*\]/), 60_000);
    await c.ok(['apply', '-f', '-'], ARCUS);
    await rollout('mc', 180);
    await eventually(async () => assert.deepEqual(await cacheList(), await expected(3)), 30_000);
    const mc0 = await c.ok(['get', 'pod', 'mc-0', '-o', 'jsonpath={.status.podIP}']);
    const zk0 = await c.ok(['get', 'pod', 'zk-0', '-o', 'jsonpath={.status.podIP}']);
    // As the seed does it: a shell in a busybox pod, the commands typed into it.
    const r = await c.kubectl(['run', '-i', '--rm', '--restart=Never', 'busybox', '--image=gcr.io/google-containers/busybox', '--', 'sh'], `echo version | nc ${mc0} 11211\necho srvr | nc ${zk0} 2181\n`, 60_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^VERSION 1\.13\.5\r?$/m);
    assert.match(r.stdout, /^Zookeeper version: 3\.8\.\S+, built on /m);
    assert.match(r.stdout, /^Mode: (leader|follower)$/m);
    await c.ok(['scale', 'sts', 'mc', '--replicas=4']);
    await rollout('mc', 120);
    await eventually(async () => assert.deepEqual(await cacheList(), await expected(4)), 30_000);
    await c.ok(['scale', 'sts', 'mc', '--replicas=2']);
    await eventually(async () => assert.deepEqual(await cacheList(), await expected(2)), 60_000);
  });
});
