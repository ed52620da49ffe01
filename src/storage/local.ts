// A backend inside this process: the revision counter, the compare-and-swap and the event history in
// memory, and writes made durable by a Persistence (SQLite, or nothing). Writes made in one event-loop
// turn are committed together (group commit) and only then announced and acknowledged, so an
// acknowledged write survives kill -9 and no watcher ever sees a write that was not committed.

import { internalError, type StatusError } from '../machinery/errors.js';
import { CompareFailedError, ExpiredError, type Backend, type BackendEvent, type Snapshot, type StoredValue, type WatchHandler } from './backend.js';

export interface Persistence {
  readonly location: string;
  /** The stored objects and the revision of the newest write. */
  load(): { revision: number; objects: Iterable<StoredValue> };
  /** Record the writes, in order, all or none; when it returns they survive a crash of the process. */
  commit(writes: BackendEvent[]): void;
  close(): void;
}

export interface LocalBackendOptions {
  /** How many events are kept for watches from an older revision (the watch cache keeps its own, larger window). */
  historySize?: number;
  /** Where one-line notices go (commit failures and the recovery from them); stderr by default. */
  log?: (line: string) => void;
}

interface Pending {
  event: BackendEvent;
  /** The key's revision before this write, to put back if the batch cannot be committed. */
  prior: number;
  resolve(rev: number): void;
  reject(e: StatusError): void;
}

export class LocalBackend implements Backend {
  readonly location: string;
  private rev = 0;
  private revs = new Map<string, number>();
  private loaded: Iterable<StoredValue> | undefined;
  private history: BackendEvent[] = [];
  private compacted = 0;
  private watchers = new Set<{ from: number; handler: WatchHandler }>();
  private pending: Pending[] = [];
  private flushScheduled = false;
  /** Set while commits fail, so an outage is logged once. */
  private failing = false;
  private readonly historySize: number;
  private readonly log: (line: string) => void;

  constructor(
    private persistence: Persistence,
    opts: LocalBackendOptions = {},
  ) {
    this.location = persistence.location;
    this.historySize = opts.historySize ?? 1000;
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    const { revision, objects } = persistence.load();
    this.rev = this.compacted = revision;
    const rows: StoredValue[] = [];
    for (const o of objects) {
      rows.push(o);
      this.revs.set(o.key, o.revision);
    }
    this.loaded = rows;
  }

  async list(): Promise<Snapshot> {
    this.flush();
    // The first list hands over what was loaded; later ones have only revisions, so they read again.
    const objects = this.loaded ?? this.persistence.load().objects;
    this.loaded = undefined;
    return { revision: this.rev, objects };
  }

  watch(fromRevision: number, handler: WatchHandler): () => void {
    const w = { from: fromRevision, handler };
    if (fromRevision < this.compacted) {
      queueMicrotask(() => handler.onError(new ExpiredError(`required revision ${fromRevision} has been compacted (oldest ${this.compacted})`)));
      return () => {};
    }
    const missed = this.history.filter((e) => e.revision > fromRevision);
    if (missed.length) queueMicrotask(() => this.watchers.has(w) && handler.onEvents(missed, missed[missed.length - 1].revision));
    this.watchers.add(w);
    return () => void this.watchers.delete(w);
  }

  write(key: string, value: string | null, expectRevision: number, object?: unknown): Promise<number> {
    const actual = this.revs.get(key) ?? 0;
    if (actual !== expectRevision || (value === null && actual === 0)) return Promise.reject(new CompareFailedError(key, expectRevision, actual, this.rev));
    const revision = ++this.rev;
    if (value === null) this.revs.delete(key);
    else this.revs.set(key, revision);
    return new Promise((resolve, reject) => {
      this.pending.push({ event: { revision, key, value, object }, prior: actual, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compact(revision: number): Promise<void> {
    if (revision <= this.compacted) return;
    this.compacted = Math.min(revision, this.rev);
    this.history = this.history.filter((e) => e.revision > this.compacted);
  }

  /**
   * Commit every pending write in one transaction, then announce and acknowledge them. When the commit
   * fails (disk full, I/O error) the whole batch is undone, since a later write of the batch may build
   * on an earlier one, and its writers get a 500.
   */
  flush(): void {
    this.flushScheduled = false;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    const events = batch.map((p) => p.event);
    try {
      this.persistence.commit(events);
    } catch (e) {
      for (let i = batch.length - 1; i >= 0; i--) {
        const { event, prior } = batch[i];
        if (prior) this.revs.set(event.key, prior);
        else this.revs.delete(event.key);
      }
      this.rev = batch[0].event.revision - 1;
      const err = commitFailure(this.location, e);
      if (!this.failing) this.log(`k8ts: ${err.message.replace(/^Internal error occurred: /, '')}; refusing writes until a commit succeeds`);
      this.failing = true;
      for (const p of batch) p.reject(err);
      return;
    }
    if (this.failing) this.log(`k8ts: writes to ${this.location} succeed again`);
    this.failing = false;
    this.remember(events);
    // What was loaded at construction is no longer what is stored.
    this.loaded = undefined;
    const revision = events[events.length - 1].revision;
    for (const w of this.watchers) {
      try {
        w.handler.onEvents(events, revision);
      } catch (e) {
        // A broken watcher must not stop the others or fail writes that were already committed.
        this.watchers.delete(w);
        this.log(`k8ts: a storage watcher failed and was removed: ${(e as Error).message}`);
      }
    }
    for (const p of batch) p.resolve(p.event.revision);
  }

  private remember(events: BackendEvent[]): void {
    for (const e of events) this.history.push({ revision: e.revision, key: e.key, value: e.value });
    if (this.history.length > this.historySize * 2) {
      const dropped = this.history.splice(0, this.history.length - this.historySize);
      this.compacted = dropped[dropped.length - 1].revision;
    }
  }

  async close(): Promise<void> {
    this.flush();
    this.watchers.clear();
    this.persistence.close();
  }
}

/** Nothing durable: for tests and throwaway clusters. */
export class MemoryBackend extends LocalBackend {
  constructor(opts: LocalBackendOptions = {}) {
    const objects = new Map<string, StoredValue>();
    let revision = 0;
    super(
      {
        location: 'memory',
        load: () => ({ revision, objects: [...objects.values()] }),
        commit(writes) {
          for (const w of writes) {
            revision = w.revision;
            if (w.value === null) objects.delete(w.key);
            else objects.set(w.key, { key: w.key, value: w.value, revision: w.revision });
          }
        },
        close() {},
      },
      opts,
    );
  }
}

function commitFailure(location: string, e: unknown): StatusError {
  const msg = (e as Error)?.message ?? String(e);
  const full = (e as { code?: string })?.code === 'SQLITE_FULL' || /disk is full|ENOSPC/i.test(msg);
  return internalError(`${full ? 'storage is full: ' : ''}cannot commit to ${location}: ${msg}`);
}
