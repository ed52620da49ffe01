import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import type Database from 'better-sqlite3';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../machinery/errors.js';
import { MemoryBackend } from './backend.js';
import { SqliteBackend } from './sqlite.js';
import { Store } from './store.js';
import { tempDir } from '../testing/tmpdir.js';

const cm = (name: string, v: string) => ({ metadata: { name, namespace: 'default' }, data: { v } });
const tmp = () => tempDir('k8ts-hard-');

it('rolls back a batch the disk cannot hold, answers 500, and resumes when space is freed', async () => {
  const file = path.join(tmp(), 'state.db');
  let db!: Database.Database;
  const logs: string[] = [];
  const s = new Store(new SqliteBackend(file, { onOpen: (d) => (db = d) }), { log: (l) => logs.push(l) });
  s.put('configmaps', 'default', 'a', cm('a', 'old'));
  await s.settled();
  const pages = Number(db.pragma('page_count', { simple: true }));
  db.pragma(`max_page_count = ${pages}`);
  const seen: string[] = [];
  s.watch('configmaps', undefined, s.revision, (ev) => seen.push(ev.entry.name));
  s.put('configmaps', 'default', 'a', cm('a', 'x'.repeat(100_000)));
  s.put('configmaps', 'default', 'b', cm('b', 'y'.repeat(100_000)));
  await assert.rejects(s.settled(), (e) => isStatusError(e, 'InternalError') && e.code === 500 && /^Internal error occurred: storage is full: cannot commit to .*state\.db: database or disk is full$/.test(e.message));
  assert.equal(s.revision, 1);
  assert.equal((s.get('configmaps', 'default', 'a')?.object as ConfigMap | undefined)?.data?.v, 'old');
  assert.equal(s.get('configmaps', 'default', 'b'), undefined);
  assert.deepEqual(seen, []);
  s.put('configmaps', 'default', 'c', cm('c', 'z'.repeat(100_000)));
  await assert.rejects(s.settled());
  assert.equal(logs.length, 1, 'one line per outage');
  db.pragma('max_page_count = 1000000');
  assert.equal(s.put('configmaps', 'default', 'b', cm('b', 'ok')).rev, 2);
  await s.settled();
  assert.deepEqual(seen, ['b']);
  assert.equal(logs.length, 2);
  s.close();
  const again = new Store(new SqliteBackend(file));
  assert.deepEqual([again.revision, (again.get('configmaps', 'default', 'a')?.object as ConfigMap | undefined)?.data?.v, again.get('configmaps', 'default', 'b')?.rev], [2, 'old', 2]);
  again.close();
});

it('bounds watch history by bytes and expires watches from before the trim', () => {
  const s = new Store(new MemoryBackend(), { historyBytes: 10_000 });
  for (let i = 0; i < 50; i++) s.put('configmaps', 'default', 'big', cm('big', 'x'.repeat(1000)));
  s.flush();
  const st = s.historyStats();
  assert.ok(st.bytes <= 10_000 && st.events < 50 && st.events > 0, JSON.stringify(st));
  assert.equal(st.maxBytes, 10_000);
  assert.ok(st.oldestRevision > 1);
  assert.throws(() => s.watch('configmaps', undefined, 1, () => {}), /too old resource version/);
});

it('creates the database file and its WAL files readable by the owner only', () => {
  const file = path.join(tmp(), 'state.db');
  fs.writeFileSync(file, '', { mode: 0o644 });
  fs.chmodSync(file, 0o644);
  const s = new Store(new SqliteBackend(file));
  s.put('secrets', 'default', 's', cm('s', 'secret'));
  s.flush();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
  s.close();
});

it('names the file and the key of a stored value that is not JSON', () => {
  const file = path.join(tmp(), 'state.db');
  let db!: Database.Database;
  new SqliteBackend(file, { onOpen: (d) => (db = d) });
  db.prepare('INSERT INTO objects (key, value) VALUES (?, ?)').run('/configmaps/default/x', '{bad');
  db.close();
  assert.throws(() => new Store(new SqliteBackend(file)), (e: Error) =>
    e.message.startsWith(`cannot load ${file}: the stored value of /configmaps/default/x is not JSON: `));
});
