// The embedded backend: current objects plus the global revision in one SQLite file (WAL).
// Each batch of writes is one transaction; the store answers writes only after it has committed, so an
// acknowledged write survives kill -9 of the process.
// History for watches lives in memory only; after a restart watches resume from the reloaded revision.

import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Backend, Snapshot, Write } from './backend.js';

export class SqliteBackend implements Backend {
  private db: Database.Database;
  private put: Database.Statement;
  private del: Database.Statement;
  private setRev: Database.Statement;
  private tx: (writes: Write[]) => void;

  constructor(
    readonly location: string,
    opts: { onOpen?: (db: Database.Database) => void } = {},
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
      CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0);
    `);
    this.put = this.db.prepare('INSERT INTO objects (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.del = this.db.prepare('DELETE FROM objects WHERE key = ?');
    this.setRev = this.db.prepare("UPDATE meta SET value = ? WHERE name = 'revision'");
    this.tx = this.db.transaction((writes: Write[]) => {
      for (const w of writes) {
        if (w.value === null) this.del.run(w.key);
        else this.put.run(w.key, w.value);
      }
      this.setRev.run(writes[writes.length - 1].revision);
    });
  }

  load(): Snapshot {
    const row = this.db.prepare("SELECT value FROM meta WHERE name = 'revision'").get() as { value: number };
    const rows = this.db.prepare('SELECT key, value FROM objects').raw().iterate() as IterableIterator<[string, string]>;
    return { revision: row.value, objects: rows };
  }

  commit(writes: Write[]): void {
    if (writes.length) this.tx(writes);
  }

  close(): void {
    this.db.close();
  }
}
