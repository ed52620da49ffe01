// The embedded backend: current objects, each with its revision, and the global revision in one SQLite
// file (WAL). Each batch of writes is one transaction, committed before any of them is acknowledged.
// History for watches lives in memory only; after a restart watches resume from the reloaded revision.

import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { BackendEvent, StoredValue } from './backend.js';
import { LocalBackend, type LocalBackendOptions, type Persistence } from './local.js';

export interface SqliteOptions extends LocalBackendOptions {
  onOpen?: (db: Database.Database) => void;
}

class SqlitePersistence implements Persistence {
  private db: Database.Database;
  private tx: (writes: BackendEvent[]) => void;

  constructor(
    readonly location: string,
    opts: SqliteOptions,
  ) {
    // The file holds Secrets: only the owner may read it. SQLite gives -wal and -shm the mode of the
    // database file; existing files from older versions are tightened too.
    fs.closeSync(fs.openSync(location, 'a', 0o600));
    fs.chmodSync(location, 0o600);
    this.db = new Database(location);
    this.db.pragma('journal_mode = WAL');
    for (const suffix of ['-wal', '-shm']) if (fs.existsSync(location + suffix)) fs.chmodSync(location + suffix, 0o600);
    opts.onOpen?.(this.db);
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, value TEXT NOT NULL, rev INTEGER) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0);
    `);
    this.migrate();
    const put = this.db.prepare('INSERT INTO objects (key, value, rev) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, rev = excluded.rev');
    const del = this.db.prepare('DELETE FROM objects WHERE key = ?');
    const setRev = this.db.prepare("UPDATE meta SET value = ? WHERE name = 'revision'");
    this.tx = this.db.transaction((writes: BackendEvent[]) => {
      for (const w of writes) {
        if (w.value === null) del.run(w.key);
        else put.run(w.key, w.value, w.revision);
      }
      setRev.run(writes[writes.length - 1].revision);
    });
  }

  /**
   * Files from before revisions had their own column kept the revision in the value's resourceVersion,
   * and cluster-scoped keys had an empty namespace segment (`/namespaces//default`).
   */
  private migrate(): void {
    const columns = this.db.prepare('PRAGMA table_info(objects)').all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'rev')) this.db.exec('ALTER TABLE objects ADD COLUMN rev INTEGER');
    const legacy = this.db.prepare("SELECT key, value FROM objects WHERE rev IS NULL OR key LIKE '%//%'").raw().all() as Array<[string, string]>;
    if (!legacy.length) return;
    const fix = this.db.prepare('UPDATE objects SET key = ?, rev = ? WHERE key = ?');
    this.db.transaction(() => {
      for (const [key, value] of legacy) fix.run(key.replace('//', '/'), legacyRevision(this.location, key, value), key);
    })();
  }

  load(): { revision: number; objects: Iterable<StoredValue> } {
    const row = this.db.prepare("SELECT value FROM meta WHERE name = 'revision'").get() as { value: number };
    const rows = this.db.prepare('SELECT key, value, rev FROM objects').raw().iterate() as IterableIterator<[string, string, number]>;
    return {
      revision: row.value,
      objects: (function* () {
        for (const [key, value, revision] of rows) yield { key, value, revision };
      })(),
    };
  }

  commit(writes: BackendEvent[]): void {
    if (writes.length) this.tx(writes);
  }

  close(): void {
    this.db.close();
  }
}

function legacyRevision(location: string, key: string, value: string): number {
  try {
    return Number(JSON.parse(value)?.metadata?.resourceVersion ?? 0);
  } catch (e) {
    throw new Error(`cannot load ${location}: the stored value of ${key} is not JSON: ${(e as Error).message}`);
  }
}

export class SqliteBackend extends LocalBackend {
  constructor(location: string, opts: SqliteOptions = {}) {
    super(new SqlitePersistence(location, opts), opts);
  }
}
