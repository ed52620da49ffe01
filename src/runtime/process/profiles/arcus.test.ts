import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { containerArgv, type LayerFile } from '../images.js';
import { ARCUS_PROFILES, arcusMemcached, arcusZkcli } from './arcus.js';

function content(f: LayerFile | undefined): string {
  assert.ok(f && 'content' in f);
  return f.content;
}

/** Runs a layer script as the container would, with its args. */
function runLayerScript(f: LayerFile | undefined, args: string[]): { status: number | null; stderr: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arcus-profile-'));
  try {
    const file = path.join(dir, 'script');
    writeFileSync(file, content(f), { mode: 0o755 });
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

test('the layer wrappers exec the compiled programs with this node', () => {
  for (const [profile, bin, program] of [
    [arcusMemcached, '/usr/local/bin/arcus-memcached', 'main-memcached.js'],
    [arcusZkcli, '/usr/local/bin/zkcli', 'main-zkcli.js'],
  ] as const) {
    const script = content(profile.layer?.[bin]);
    const m = /^#!\/bin\/sh\nexec '([^']+)' '([^']+)' "\$@"\n$/.exec(script);
    assert.ok(m, script);
    assert.equal(m[1], process.execPath);
    assert.ok(m[2]!.endsWith(path.join('dist', 'images', 'arcus', program)));
    assert.ok(existsSync(m[2]!), `${m[2]} is built`);
  }
});

test('the zkcli wrapper really runs zkcli (usage error without a ZooKeeper)', () => {
  const r = runLayerScript(arcusZkcli.layer?.['/usr/local/bin/zkcli'], ['arcus.memcached', 'add']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: zkcli arcus\.memcached add/);
});

test('the profiles are keyed by repository as images.ts normalizes them', () => {
  assert.equal(ARCUS_PROFILES['docker.io/jam2in/arcus-memcached'], arcusMemcached);
  assert.equal(ARCUS_PROFILES['docker.io/jam2in/zkcli'], arcusZkcli);
});
