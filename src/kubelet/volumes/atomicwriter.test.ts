import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AtomicWriter, validatePath, type FileProjection } from './atomicwriter.js';

const file = (s: string, mode = 0o644): FileProjection => ({ data: Buffer.from(s), mode });

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atomic-writer-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('validatePath rejects what the kubelet rejects (atomic_writer_test)', () => {
  assert.equal(validatePath('foo/bar.txt'), undefined);
  assert.equal(validatePath('..foo'), "invalid path: must not start with '..': ..foo");
  assert.equal(validatePath('foo/../bar'), "invalid path: must not contain '..': foo/../bar");
  assert.equal(validatePath('/etc/passwd'), 'invalid path: must be relative path: /etc/passwd');
  assert.equal(validatePath(''), 'invalid path: must not be empty: ""');
  assert.equal(validatePath('a'.repeat(256)), 'invalid path: filenames must be less than or equal to 255 characters');
  assert.equal(validatePath('foo..bar'), undefined);
});

test('first write lays out ..data, a timestamped dir and top-level symlinks', () =>
  withDir(async (dir) => {
    const w = new AtomicWriter(dir, () => new Date(Date.UTC(2016, 1, 1, 15, 4, 5)));
    assert.equal(await w.write(new Map([['game.properties', file('lives=3')], ['ui/color', file('red', 0o400)]])), true);
    const tsDir = await readlink(path.join(dir, '..data'));
    assert.match(tsDir, /^\.\.2016_02_01_15_04_05\.\w+$/);
    assert.equal(await readlink(path.join(dir, 'game.properties')), '..data/game.properties');
    assert.equal(await readlink(path.join(dir, 'ui')), '..data/ui');
    assert.equal(await readFile(path.join(dir, 'ui/color'), 'utf8'), 'red');
    assert.equal((await stat(path.join(dir, tsDir, 'ui/color'))).mode & 0o777, 0o400);
    assert.equal((await stat(path.join(dir, tsDir))).mode & 0o777, 0o755);
  }));

test('an unchanged payload is not rewritten', () =>
  withDir(async (dir) => {
    const w = new AtomicWriter(dir);
    await w.write(new Map([['a', file('1')]]));
    const before = await readlink(path.join(dir, '..data'));
    assert.equal(await w.write(new Map([['a', file('1')]])), false);
    assert.equal(await readlink(path.join(dir, '..data')), before);
  }));

test('an update replaces the set: removed keys lose their symlinks, the old dir goes away', () =>
  withDir(async (dir) => {
    const w = new AtomicWriter(dir);
    await w.write(new Map([['keep', file('old')], ['drop', file('x')], ['sub/one', file('1')]]));
    const oldTs = await readlink(path.join(dir, '..data'));
    assert.equal(await w.write(new Map([['keep', file('new')], ['added', file('y')]])), true);
    const newTs = await readlink(path.join(dir, '..data'));
    assert.notEqual(newTs, oldTs);
    assert.deepEqual((await readdir(dir)).sort(), ['..data', newTs, 'added', 'keep'].sort());
    assert.equal(await readFile(path.join(dir, 'keep'), 'utf8'), 'new');
    await assert.rejects(lstat(path.join(dir, 'drop')), { code: 'ENOENT' });
    await assert.rejects(lstat(path.join(dir, oldTs)), { code: 'ENOENT' });
  }));

test('an invalid payload is refused before anything is written', () =>
  withDir(async (dir) => {
    await assert.rejects(new AtomicWriter(dir).write(new Map([['..data/x', file('x')]])), /must not start with '\.\.'/);
    assert.deepEqual(await readdir(dir), []);
  }));
