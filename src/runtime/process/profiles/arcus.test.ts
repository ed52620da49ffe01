import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { containerArgv, type ImageProfile, type LayerFile } from '../images.js';
import { ARCUS_PROFILES, arcusMemcached, arcusZkcli } from './arcus.js';

function content(f: LayerFile | undefined): string {
  assert.ok(f && 'content' in f);
  return f.content;
}

/** The host path the profile binds at a container path. */
function hostPathOf(profile: ImageProfile, containerPath: string): string {
  const m = profile.mounts?.find((x) => containerPath === x.containerPath || containerPath.startsWith(`${x.containerPath}/`));
  assert.ok(m, `${containerPath} is bound`);
  return m.hostPath + containerPath.slice(m.containerPath.length);
}

/** Runs a layer script as the container would, with its args (the profile's bound paths seen at their host paths). */
function runLayerScript(profile: ImageProfile, f: LayerFile | undefined, args: string[]): { status: number | null; stderr: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arcus-profile-'));
  try {
    const file = path.join(dir, 'script');
    let script = content(f);
    for (const m of profile.mounts ?? []) script = script.split(m.containerPath).join(m.hostPath);
    writeFileSync(file, script, { mode: 0o755 });
    const r = spawnSync(file, args, { encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the StatefulSet container runs arcus-memcached with its args', () => {
  const args = ['-v', '-m', '100', '-z', 'zk-cs.default.svc.cluster.local:2181'];
  assert.deepEqual(containerArgv(arcusMemcached, undefined, args), ['/usr/local/bin/arcus-memcached', ...args]);
  assert.deepEqual(arcusMemcached.packages, ['memcached']);
  assert.equal(arcusMemcached.env?.ARCUS_MEMCACHED_VERSION, '1.13.5');
});

test('the init container runs zkcli with its args', () => {
  const args = ['arcus.memcached', 'add', 'zk-cs.default.svc.cluster.local:2181', 'mc-0.mc.default.svc.cluster.local:11211', 'test'];
  assert.deepEqual(containerArgv(arcusZkcli, undefined, args), ['/usr/local/bin/zkcli', ...args]);
});

test('the layer wrappers exec the compiled programs with this node, both bound into the container', () => {
  for (const [profile, bin, program] of [
    [arcusMemcached, '/usr/local/bin/arcus-memcached', 'main-memcached.js'],
    [arcusZkcli, '/usr/local/bin/zkcli', 'main-zkcli.js'],
  ] as const) {
    const script = content(profile.layer?.[bin]);
    const m = /^#!\/bin\/sh\nexec '([^']+)' '([^']+)' "\$@"\n$/.exec(script);
    assert.ok(m, script);
    assert.equal(hostPathOf(profile, m[1]!), process.execPath);
    const host = hostPathOf(profile, m[2]!);
    assert.ok(host.endsWith(path.join('dist', 'images', 'arcus', program)));
    assert.ok(existsSync(host), `${host} is built`);
    // Never a path under the host's /tmp, which a container does not see.
    assert.ok(!m[2]!.startsWith('/tmp/'));
  }
});

test('the zkcli wrapper really runs zkcli (usage error without a ZooKeeper)', () => {
  const r = runLayerScript(arcusZkcli, arcusZkcli.layer?.['/usr/local/bin/zkcli'], ['arcus.memcached', 'add']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: zkcli arcus\.memcached add/);
});

test('the profiles are keyed by repository as images.ts normalizes them', () => {
  assert.equal(ARCUS_PROFILES['docker.io/jam2in/arcus-memcached'], arcusMemcached);
  assert.equal(ARCUS_PROFILES['docker.io/jam2in/zkcli'], arcusZkcli);
});
