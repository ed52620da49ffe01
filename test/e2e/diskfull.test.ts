// A full disk: the server stays up, refuses the writes it cannot commit with a clear 500, keeps serving
// reads, accepts writes again once space is freed, and after kill -9 has lost nothing it acknowledged.
// The data directory sits on a small tmpfs, which needs root (as CI runs); elsewhere the test is skipped.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { StoredList } from '../../src/client/objects.js';
import { Cluster, request } from './harness.js';

const isRoot = process.getuid?.() === 0;

describe('a full disk', { skip: isRoot ? false : 'needs root to mount a small tmpfs' }, () => {
  let mount: string;
  let c: Cluster;
  before(async () => {
    mount = mkdtempSync(path.join(tmpdir(), 'k8ts-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount]);
    c = new Cluster(path.join(mount, 'data'), []);
    await c.start();
  });
  after(async () => {
    await c?.destroy();
    execFileSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  const names = async () => (await c.json<StoredList<ConfigMap>>(['get', 'configmaps'])).items.map((o) => o.metadata.name).sort();

  it('refuses writes with a 500, keeps reading, writes again once space is freed, and loses nothing', async () => {
    const value = 'x'.repeat(600_000);
    const created: string[] = [];
    let refused = '';
    for (let i = 0; i < 10 && !refused; i++) {
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big${i}` }, data: { v: value } });
      const res = await request(c, 'POST', '/api/v1/namespaces/default/configmaps', body, { 'Content-Type': 'application/json' });
      if (res.status === 201) created.push(`big${i}`);
      else refused = res.body;
    }
    assert.ok(created.length > 0, 'some objects fit');
    const status = JSON.parse(refused);
    assert.equal(status.code, 500, refused);
    assert.equal(status.reason, 'InternalError');
    assert.match(status.message, /^Internal error occurred: storage is full: cannot commit to .*state\.db: database or disk is full$/);
    assert.equal((await request(c, 'GET', '/readyz')).status, 200);
    assert.deepEqual(await names(), ['kube-root-ca.crt', ...created].sort(), 'the refused write is not in memory');
    const kubectl = await c.kubectl(['create', 'configmap', 'refused', `--from-file=v=${c.writeFile('big.txt', value)}`]);
    assert.notEqual(kubectl.code, 0);
    assert.match(kubectl.stderr, /storage is full/);

    // SQLite in WAL mode needs free pages even to delete, so space is freed the way an operator would: a bigger disk.
    execFileSync('mount', ['-o', 'remount,size=4m', mount]);
    await c.ok(['delete', 'configmap', created[0], created[1]]);
    await c.ok(['create', 'configmap', 'after', '--from-literal=a=b']);
    const acknowledged = await names();
    await c.kill9();
    // Starting needs a little space of its own (pid file, kubeconfig): grow the disk, then look.
    execFileSync('mount', ['-o', 'remount,size=10m', mount]);
    await c.start();
    assert.deepEqual(await names(), acknowledged);
  });
});
