import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import type Database from 'better-sqlite3';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../machinery/errors.js';
import { MemoryBackend } from './local.js';
import { SqliteBackend } from './sqlite.js';
import { Store } from './store.js';
import { tempDir } from '../testing/tmpdir.js';

const cm = (name: string, v: string) => ({ metadata: { name, namespace: 'default' }, data: { v } });
const tmp = () => tempDir('k8ts-hard-');

it('rolls back a batch the disk cannot hold, answers 500, and resumes when space is freed', async () => {
  const file = path.join(tmp(), 'state.db');
  let db!: Database.Database;
  const logs: string[] = [];
  const s = await Store.open(new SqliteBackend(file, { onOpen: (d) => (db = d), log: (l) => logs.push(l) }));
  const a = await s.put('configmaps', 'default', 'a', cm('a', 'old'), 0);
  const pages = Number(db.pragma('page_count', { simple: true }));
  db.pragma(`max_page_count = ${pages}`);
  const seen: string[] = [];
  s.watch('configmaps', undefined, s.revision, (ev) => seen.push(ev.entry.name));
  const full = (e: unknown) => isStatusError(e, 'InternalError') && e.code === 500 && /^Internal error occurred: storage is full: cannot commit to .*state\.db: database or disk is full$/.test(e.message);
  const batch = [s.put('configmaps', 'default', 'a', cm('a', 'x'.repeat(100_000)), a.rev), s.put('configmaps', 'default', 'b', cm('b', 'y'.repeat(100_000)), 0)];
  for (const w of batch) await assert.rejects(w, full);
  assert.equal(s.revision, 1);
  assert.equal((s.get('configmaps', 'default', 'a')?.object as ConfigMap | undefined)?.data?.v, 'old');
  assert.equal(s.get('configmaps', 'default', 'b'), undefined);
  assert.deepEqual(seen, []);
  await assert.rejects(s.put('configmaps', 'default', 'c', cm('c', 'z'.repeat(100_000)), 0), full);
  assert.equal(logs.length, 1, 'one line per outage');
  db.pragma('max_page_count = 1000000');
  assert.equal((await s.put('configmaps', 'default', 'b', cm('b', 'ok'), 0)).rev, 2, 'the revisions of the lost batch are given again');
  assert.deepEqual(seen, ['b']);
  assert.equal(logs.length, 2);
  await s.close();
  const again = await Store.open(new SqliteBackend(file));
  assert.deepEqual([again.revision, (again.get('configmaps', 'default', 'a')?.object as ConfigMap | undefined)?.data?.v, again.get('configmaps', 'default', 'b')?.rev], [2, 'old', 2]);
  await again.close();
});

it('bounds watch history by bytes and expires watches from before the trim', async () => {
  const s = await Store.open(new MemoryBackend(), { historyBytes: 10_000 });
  let rev = 0;
  for (let i = 0; i < 50; i++) rev = (await s.put('configmaps', 'default', 'big', cm('big', 'x'.repeat(1000)), rev)).rev;
  const st = s.historyStats();
  assert.ok(st.bytes <= 10_000 && st.events < 50 && st.events > 0, JSON.stringify(st));
  assert.equal(st.maxBytes, 10_000);
  assert.ok(st.oldestRevision > 1);
  assert.throws(() => s.watch('configmaps', undefined, 1, () => {}), /too old resource version/);
});

it('creates the database file and its WAL files readable by the owner only', async () => {
  const file = path.join(tmp(), 'state.db');
  fs.writeFileSync(file, '', { mode: 0o644 });
  fs.chmodSync(file, 0o644);
  const s = await Store.open(new SqliteBackend(file));
  await s.put('secrets', 'default', 's', cm('s', 'secret'), 0);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
  await s.close();
});

it('names the file and the key of a stored value that is not JSON', async () => {
  const file = path.join(tmp(), 'state.db');
  let db!: Database.Database;
  new SqliteBackend(file, { onOpen: (d) => (db = d) });
  db.prepare('INSERT INTO objects (key, value, rev) VALUES (?, ?, 1)').run('/configmaps/default/x', '{bad');
  db.close();
  await assert.rejects(Store.open(new SqliteBackend(file)), (e: Error) => e.message.startsWith(`cannot load ${file}: the stored value of /configmaps/default/x is not JSON: `));
});

it('opens a file from before revisions had a column: the revision comes from resourceVersion, cluster keys lose the empty namespace', async () => {
  const file = path.join(tmp(), 'state.db');
  const Sqlite = (await import('better-sqlite3')).default;
  const old = new Sqlite(file);
  old.exec(`CREATE TABLE objects (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL); INSERT INTO meta VALUES ('revision', 9);`);
  old.prepare('INSERT INTO objects VALUES (?, ?)').run('/namespaces//prod', JSON.stringify({ metadata: { name: 'prod', resourceVersion: '7' } }));
  old.prepare('INSERT INTO objects VALUES (?, ?)').run('/configmaps/prod/c', JSON.stringify({ metadata: { name: 'c', namespace: 'prod', resourceVersion: '8' } }));
  old.close();
  const s = await Store.open(new SqliteBackend(file));
  assert.deepEqual([s.revision, s.get('namespaces', '', 'prod')?.rev, s.get('configmaps', 'prod', 'c')?.rev], [9, 7, 8]);
  assert.equal((await s.put('namespaces', '', 'prod', { metadata: { name: 'prod' } }, 7)).rev, 10);
  await s.close();
});
