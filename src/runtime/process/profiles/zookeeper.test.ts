import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kubernetesZookeeper } from './zookeeper.js';

// The layer's scripts run for real, with `hostname`, `nc` and `java` replaced by stubs on PATH/JAVA_HOME.

const TUTORIAL_FLAGS = [
  '--servers=3', '--data_dir=DIR/data', '--data_log_dir=DIR/data/log', '--conf_dir=DIR/conf', '--client_port=2181',
  '--election_port=3888', '--server_port=2888', '--tick_time=2000', '--init_limit=10', '--sync_limit=5', '--heap=512M',
  '--max_client_cnxns=60', '--snap_retain_count=3', '--purge_interval=12', '--max_session_timeout=40000',
  '--min_session_timeout=4000', '--log_level=INFO',
];

function content(file: string): string {
  const entry = kubernetesZookeeper.layer?.[file];
  assert.ok(entry && 'content' in entry, `${file} is a file of the layer`);
  return entry.content;
}

function sandbox(): { dir: string; run: (script: string, args: string[], env?: Record<string, string>) => ReturnType<typeof spawnSync> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'zk-profile-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(path.join(dir, 'jdk', 'bin'), { recursive: true });
  mkdirSync(bin);
  for (const name of ['start-zookeeper', 'zookeeper-ready', 'zkCli.sh']) {
    writeFileSync(path.join(bin, name), content(`/usr/bin/${name}`), { mode: 0o755 });
  }
  writeFileSync(path.join(bin, 'hostname'), '#!/bin/sh\ncase "$1" in -s) echo "$FAKE_HOST" ;; -d) echo "$FAKE_DOMAIN" ;; esac\n', { mode: 0o755 });
  writeFileSync(path.join(bin, 'nc'), '#!/bin/sh\necho "$@" > "$DIR/nc.args"; cat > "$DIR/nc.stdin"; printf "%s" "$NC_REPLY"\n', { mode: 0o755 });
  writeFileSync(path.join(dir, 'jdk', 'bin', 'java'), '#!/bin/sh\nprintf "%s\\n" "$@" > "$DIR/java.argv"\n', { mode: 0o755 });
  const run = (script: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync('bash', [path.join(bin, script), ...args.map((a) => a.replace('DIR', dir))], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin`, JAVA_HOME: path.join(dir, 'jdk'), DIR: dir, FAKE_HOST: 'zk-1', FAKE_DOMAIN: 'zk-hs.default.svc.cluster.local', ...env },
    });
  return { dir, run };
}

test('start-zookeeper with the tutorial flags writes the ensemble config of zk-1 and execs the server', (t) => {
  const { dir, run } = sandbox();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = run('start-zookeeper', TUTORIAL_FLAGS);
  assert.equal(r.status, 0, String(r.stderr));
  const cfg = readFileSync(path.join(dir, 'conf', 'zoo.cfg'), 'utf8').split('\n');
  for (const line of [
    'clientPort=2181', `dataDir=${dir}/data`, `dataLogDir=${dir}/data/log`, 'tickTime=2000', 'initLimit=10', 'syncLimit=5',
    'maxClientCnxns=60', 'minSessionTimeout=4000', 'maxSessionTimeout=40000', 'autopurge.snapRetainCount=3',
    'autopurge.purgeInterval=12', '4lw.commands.whitelist=*', 'admin.enableServer=false',
  ]) assert.ok(cfg.includes(line), `zoo.cfg has ${line}`);
  assert.deepEqual(cfg.filter((l) => l.startsWith('server.')), [
    'server.1=zk-0.zk-hs.default.svc.cluster.local:2888:3888',
    'server.2=zk-1.zk-hs.default.svc.cluster.local:2888:3888',
    'server.3=zk-2.zk-hs.default.svc.cluster.local:2888:3888',
  ]);
  assert.equal(readFileSync(path.join(dir, 'data', 'myid'), 'utf8'), '2\n');
  assert.ok(existsSync(path.join(dir, 'data', 'log')));
  const log4j = readFileSync(path.join(dir, 'conf', 'log4j.properties'), 'utf8');
  assert.match(log4j, /^zookeeper\.console\.threshold=INFO$/m);
  assert.match(log4j, /^log4j\.rootLogger=\$\{zookeeper\.root\.logger\}$/m);
  assert.match(readFileSync(path.join(dir, 'conf', 'java.env'), 'utf8'), /^JVMFLAGS="-Xmx512M -Xms512M"$/m);
  const argv = readFileSync(path.join(dir, 'java.argv'), 'utf8').trim().split('\n');
  assert.ok(argv.includes('-Xmx512M') && argv.includes('-Xms512M'));
  assert.ok(argv.includes('-Dzookeeper.root.logger=INFO,CONSOLE'));
  assert.equal(argv[argv.indexOf('-cp') + 1].split(':')[0], `${dir}/conf`, 'the conf dir (log4j.properties) leads the classpath');
  assert.deepEqual(argv.slice(-2), ['org.apache.zookeeper.server.quorum.QuorumPeerMain', `${dir}/conf/zoo.cfg`]);
});

test('start-zookeeper defaults: a standalone server without server entries or myid, session timeouts from the tick', (t) => {
  const { dir, run } = sandbox();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = run('start-zookeeper', ['--data_dir=DIR/data', '--conf_dir=DIR/conf', '--tick_time=3000'], { FAKE_HOST: 'zk-0' });
  assert.equal(r.status, 0, String(r.stderr));
  const cfg = readFileSync(path.join(dir, 'conf', 'zoo.cfg'), 'utf8');
  assert.doesNotMatch(cfg, /^server\./m);
  assert.match(cfg, /^minSessionTimeout=6000$/m);
  assert.match(cfg, /^maxSessionTimeout=60000$/m);
  assert.match(cfg, /^dataLogDir=\/var\/lib\/zookeeper\/log$/m);
  assert.equal(existsSync(path.join(dir, 'data', 'myid')), false);
  assert.ok(readFileSync(path.join(dir, 'java.argv'), 'utf8').split('\n').includes('-Xmx2G'));
});

test('start-zookeeper keeps the myid of an existing data dir', (t) => {
  const { dir, run } = sandbox();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, 'data', 'myid'), '7\n');
  assert.equal(run('start-zookeeper', TUTORIAL_FLAGS).status, 0);
  assert.equal(readFileSync(path.join(dir, 'data', 'myid'), 'utf8'), '7\n');
});

test('start-zookeeper creates the target of a conf dir that links to a missing directory', (t) => {
  const { dir, run } = sandbox();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(path.join(dir, 'tmp', 'zookeeper', 'conf'), path.join(dir, 'conf'));
  assert.equal(run('start-zookeeper', TUTORIAL_FLAGS).status, 0);
  assert.match(readFileSync(path.join(dir, 'tmp', 'zookeeper', 'conf', 'zoo.cfg'), 'utf8'), /^server\.3=/m);
});

test('start-zookeeper fails without starting java on a hostname without an ordinal or an unknown flag', (t) => {
  const { dir, run } = sandbox();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const noOrdinal = run('start-zookeeper', TUTORIAL_FLAGS, { FAKE_HOST: 'zookeeper' });
  assert.equal(noOrdinal.status, 1);
  assert.match(String(noOrdinal.stderr), /Failed to parse name and ordinal of Pod/);
  const unknown = run('start-zookeeper', ['--conf_dir=DIR/conf', '--bogus=1']);
  assert.equal(unknown.status, 1);
  assert.match(String(unknown.stderr), /Unknown option --bogus=1/);
  assert.equal(existsSync(path.join(dir, 'java.argv')), false);
});

test('zookeeper-ready sends ruok to 127.0.0.1:PORT and succeeds only on imok', (t) => {
  const { dir, run } = sandbox();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(run('zookeeper-ready', ['2181'], { NC_REPLY: 'imok' }).status, 0);
  assert.equal(readFileSync(path.join(dir, 'nc.args'), 'utf8').trim(), '127.0.0.1 2181');
  assert.equal(readFileSync(path.join(dir, 'nc.stdin'), 'utf8'), 'ruok\n');
  assert.equal(run('zookeeper-ready', ['2181'], { NC_REPLY: '' }).status, 1);
  assert.equal(run('zookeeper-ready', ['2181'], { NC_REPLY: 'ruok is not executed because it is not in the whitelist.' }).status, 1);
});

test('zkCli.sh runs the ZooKeeper shell with the arguments as given', (t) => {
  const { dir, run } = sandbox();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(run('zkCli.sh', ['-server', 'zk-0.zk-hs:2181', 'create', '/hello', 'world']).status, 0);
  const argv = readFileSync(path.join(dir, 'java.argv'), 'utf8').trim().split('\n');
  assert.deepEqual(argv.slice(-6), ['org.apache.zookeeper.ZooKeeperMain', '-server', 'zk-0.zk-hs:2181', 'create', '/hello', 'world']);
});

test('the image layer: executable scripts on PATH, nc, and the conf dir at /opt/zookeeper/conf', () => {
  const layer = kubernetesZookeeper.layer ?? {};
  for (const f of ['/usr/bin/start-zookeeper', '/usr/bin/zookeeper-ready', '/usr/bin/zkCli.sh']) {
    const e = layer[f];
    assert.ok(e && 'content' in e && e.mode === 0o755, `${f} is executable`);
  }
  assert.deepEqual(layer['/usr/bin/nc'], { symlink: '/usr/bin/busybox' });
  assert.deepEqual(layer['/usr/etc/zookeeper'], { symlink: '/opt/zookeeper/conf' });
  assert.ok(layer['/opt/zookeeper/conf'] && 'symlink' in layer['/opt/zookeeper/conf']);
  assert.ok(kubernetesZookeeper.packages.includes('zookeeper'));
});
