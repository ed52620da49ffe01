import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { lockDataDir } from './datadir.js';
import { tempDir as testTempDir } from '../testing/tmpdir.js';

function tempDir(): string {
  return path.join(testTempDir('k8ts-datadir-'), 'data');
}

/** A pid that belonged to a process which has exited, as after `kill -9` of a server. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

test('locking creates the directory and writes our pid; release removes it', () => {
  const dir = tempDir();
  const lock = lockDataDir(dir);
  assert.equal(fs.readFileSync(path.join(dir, 'k8ts.pid'), 'utf8').trim(), String(process.pid));
  lock.release();
  assert.equal(fs.existsSync(path.join(dir, 'k8ts.pid')), false);
  lockDataDir(dir).release();
});

test('a second lock on the same directory throws a one-line message naming the owner', () => {
  const dir = tempDir();
  const lock = lockDataDir(dir);
  try {
    assert.throws(() => lockDataDir(dir), {
      message: `data directory ${dir} is in use by another k8ts server (pid ${process.pid})`,
    });
  } finally {
    lock.release();
  }
});

test('a lock held by another live process is refused', async (t) => {
  const dir = tempDir();
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  t.after(() => other.kill());
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'k8ts.pid'), `${other.pid}\n`);
  assert.throws(() => lockDataDir(dir), { message: `data directory ${dir} is in use by another k8ts server (pid ${other.pid})` });
  assert.equal(fs.readFileSync(path.join(dir, 'k8ts.pid'), 'utf8').trim(), String(other.pid));
});

test('a stale pid file from a dead server is taken over', async () => {
  const dir = tempDir();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'k8ts.pid'), `${await deadPid()}\n`);
  const lock = lockDataDir(dir);
  assert.equal(fs.readFileSync(path.join(dir, 'k8ts.pid'), 'utf8').trim(), String(process.pid));
  lock.release();
});

test('an unreadable pid file (empty or garbage) is treated as stale', () => {
  for (const content of ['', 'not-a-pid\n', '0\n']) {
    const dir = tempDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'k8ts.pid'), content);
    lockDataDir(dir).release();
  }
});

test('release does not remove a pid file written by a later owner', () => {
  const dir = tempDir();
  const lock = lockDataDir(dir);
  fs.writeFileSync(path.join(dir, 'k8ts.pid'), '1\n');
  lock.release();
  assert.equal(fs.readFileSync(path.join(dir, 'k8ts.pid'), 'utf8'), '1\n');
});

test('the data directory is made private to the owner, also when it already existed', () => {
  const dir = tempDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  lockDataDir(dir).release();
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
});
