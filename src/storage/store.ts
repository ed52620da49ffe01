// The watch cache: every current object in memory, indexed by resource, in front of a durable backend.
// One global revision orders all writes (like etcd); reads and watches never touch the backend.

import { internalError, type StatusError } from '../machinery/errors.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Mutable } from '../machinery/objects.js';
import type { Backend, Write } from './backend.js';

/** Any stored object: open JSON of any kind, with the metadata every kind has (the server writes all of it). */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: Mutable<ObjectMeta>;
  [field: string]: unknown;
}

export interface Entry {
  resource: string;
  namespace: string;
  name: string;
  rev: number;
  /** Frozen once stored: writers store new objects, readers clone before changing. */
  object: KObject;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  rev: number;
  entry: Entry;
  /** The object before this write (MODIFIED and DELETED). */
  previous?: KObject;
}

export type Listener = (ev: StoreEvent) => void;

export class ExpiredError extends Error {}

/** A conditional write found another revision than it expected (etcd's failed compare). */
export class CompareFailedError extends Error {
  constructor(
    readonly key: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`compare failed for ${key}: expected revision ${expected}, found ${actual}`);
  }
}

interface Watcher {
  namespace: string | undefined;
  /** Events at or below this revision were already in what the watcher listed. */
  fromRev: number;
  listener: Listener;
}

export interface StoreOptions {
  /** How many events are kept for watches that resume from an older revision. */
  historySize?: number;
  /**
   * Bytes of serialised objects kept in the watch history. 64 MiB by default: in memory a parsed object
   * takes a few times its JSON size, so the history stays within a few hundred MB even for large objects,
   * while tens of thousands of ordinary (1-2 KB) events remain available to watches that resume.
   */
  historyBytes?: number;
  /** Where one-line notices go (commit failures and the recovery from them); stderr by default. */
  log?: (line: string) => void;
}

export interface HistoryStats {
  events: number;
  bytes: number;
  maxBytes: number;
  /** Watches from a revision below this get 410 Expired. */
  oldestRevision: number;
}

/** What a write replaced in memory, to put it back when its batch cannot be committed. */
interface Undo {
  resource: string;
  key: string;
  prior: Entry | undefined;
}

function storageKey(resource: string, namespace: string, name: string): string {
  return `/${resource}/${namespace}/${name}`;
}

function parseKey(key: string): { resource: string; namespace: string; name: string } {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const rest = key.slice(1, key.lastIndexOf('/'));
  const namespace = rest.slice(rest.lastIndexOf('/') + 1);
  return { resource: rest.slice(0, rest.lastIndexOf('/')), namespace, name };
}

export class Store {
  private rev: number;
  private byResource = new Map<string, Map<string, Entry>>();
  /** The revision of each resource's newest write, so caches over a resource know when to rebuild. */
  private lastWrites = new Map<string, number>();
  private history: StoreEvent[] = [];
  /** Revision of the newest event that is no longer in `history`; watches from before it are expired. */
  private compactedRev: number;
  private watchers = new Map<string, Set<Watcher>>();
  /** Serialised size of each event's object, parallel to `history`. */
  private historySizes: number[] = [];
  private historyTotal = 0;
  private readonly historySize: number;
  private readonly historyBytes: number;
  private readonly log: (line: string) => void;
  /** Writes applied in memory and waiting for the group commit at the end of this event-loop turn. */
  private batch: Write[] = [];
  private batchEvents: StoreEvent[] = [];
  private batchUndo: Undo[] = [];
  private batchSizes: number[] = [];
  private batchStartRev = 0;
  private committedWaiters: Array<{ resolve: () => void; reject: (e: StatusError) => void }> = [];
  private flushScheduled = false;
  /** Set while commits fail, so an outage is logged once. */
  private failing = false;

  constructor(private backend: Backend, opts: StoreOptions = {}) {
    this.historySize = opts.historySize ?? 100_000;
    this.historyBytes = opts.historyBytes ?? 64 * 1024 * 1024;
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    const snap = backend.load();
    this.rev = snap.revision;
    this.compactedRev = snap.revision;
    for (const [key, value] of snap.objects) {
      const { resource, namespace, name } = parseKey(key);
      const object = deepFreeze(parseStored(backend.location, key, value));
      const rev = Number(object?.metadata?.resourceVersion ?? 0);
      this.table(resource).set(`${namespace}/${name}`, { resource, namespace, name, rev, object });
    }
  }

  get revision(): number {
    return this.rev;
  }

  get oldestWatchableRevision(): number {
    return this.compactedRev;
  }

  historyStats(): HistoryStats {
    return { events: this.history.length, bytes: this.historyTotal, maxBytes: this.historyBytes, oldestRevision: this.compactedRev };
  }

  private table(resource: string): Map<string, Entry> {
    let t = this.byResource.get(resource);
    if (!t) {
      t = new Map();
      this.byResource.set(resource, t);
    }
    return t;
  }

  get(resource: string, namespace: string, name: string): Entry | undefined {
    return this.byResource.get(resource)?.get(`${namespace}/${name}`);
  }

  /** Entries in key order (namespace, then name); `namespace` undefined means all namespaces. */
  list(resource: string, namespace?: string): { entries: Entry[]; revision: number } {
    const t = this.byResource.get(resource);
    const entries: Entry[] = [];
    if (t) for (const e of t.values()) if (namespace === undefined || e.namespace === namespace) entries.push(e);
    entries.sort((a, b) => (a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace)));
    return { entries, revision: this.rev };
  }

  count(resource: string): number {
    return this.byResource.get(resource)?.size ?? 0;
  }

  /**
   * Write `object` at the next revision, setting metadata.resourceVersion. `object` must be a fresh
   * object the caller no longer changes. Returns the stored entry; it is durable, and watchers hear of
   * it, once `settled()` resolves. With `expectRev` the write is a compare-and-swap: it happens only if
   * the key is at that revision now (0: absent), else CompareFailedError.
   */
  put(resource: string, namespace: string, name: string, object: KObject, expectRev?: number): Entry {
    this.compare(resource, namespace, name, expectRev);
    const rev = this.rev + 1;
    object.metadata = object.metadata ?? {};
    object.metadata.resourceVersion = String(rev);
    const value = JSON.stringify(object);
    deepFreeze(object);
    const t = this.table(resource);
    const k = `${namespace}/${name}`;
    const prior = t.get(k);
    this.begin({ resource, key: k, prior });
    this.rev = rev;
    const entry: Entry = { resource, namespace, name, rev, object };
    t.set(k, entry);
    this.enqueue({ revision: rev, key: storageKey(resource, namespace, name), value }, { type: prior ? 'MODIFIED' : 'ADDED', rev, entry, previous: prior?.object }, value.length);
    return entry;
  }

  private compare(resource: string, namespace: string, name: string, expectRev: number | undefined): void {
    if (expectRev === undefined) return;
    const actual = this.get(resource, namespace, name)?.rev ?? 0;
    if (actual !== expectRev) throw new CompareFailedError(storageKey(resource, namespace, name), expectRev, actual);
  }

  /** Remove the object; the DELETED event carries `final` (the last state, at the deletion revision). With `expectRev`, only at that revision. */
  remove(resource: string, namespace: string, name: string, final: KObject, expectRev?: number): Entry | undefined {
    this.compare(resource, namespace, name, expectRev);
    const t = this.byResource.get(resource);
    const k = `${namespace}/${name}`;
    const old = t?.get(k);
    if (!t || !old) return undefined;
    const rev = this.rev + 1;
    this.begin({ resource, key: k, prior: old });
    this.rev = rev;
    t.delete(k);
    final.metadata = final.metadata ?? {};
    final.metadata.resourceVersion = String(rev);
    const size = JSON.stringify(final).length;
    deepFreeze(final);
    const entry: Entry = { resource, namespace, name, rev, object: final };
    this.enqueue({ revision: rev, key: storageKey(resource, namespace, name), value: null }, { type: 'DELETED', rev, entry, previous: old.object }, size);
    return entry;
  }

  /** Revision of the newest write to `resource` (0 if none since start); a rolled-back write still counts. */
  lastWrite(resource: string): number {
    return this.lastWrites.get(resource) ?? 0;
  }

  private begin(undo: Undo): void {
    this.lastWrites.set(undo.resource, this.rev + 1);
    if (!this.batch.length) this.batchStartRev = this.rev;
    this.batchUndo.push(undo);
  }

  private enqueue(w: Write, ev: StoreEvent, size: number): void {
    this.batch.push(w);
    this.batchEvents.push(ev);
    this.batchSizes.push(size);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Commit every pending write in one transaction, then tell watchers. Runs by itself once per turn.
   * When the commit fails (disk full, I/O error) the whole batch is undone in memory, since a later
   * write of the batch may build on an earlier one; its callers' settled() rejects with a 500.
   */
  flush(): void {
    this.flushScheduled = false;
    if (!this.batch.length) return;
    const writes = this.batch;
    const events = this.batchEvents;
    const sizes = this.batchSizes;
    const undo = this.batchUndo;
    const waiters = this.committedWaiters.splice(0);
    this.batch = [];
    this.batchEvents = [];
    this.batchSizes = [];
    this.batchUndo = [];
    try {
      this.backend.commit(writes);
    } catch (e) {
      this.rollBack(undo);
      const err = commitFailure(this.backend.location, e);
      if (!this.failing) this.log(`k8ts: ${err.message.replace(/^Internal error occurred: /, '')}; refusing writes until a commit succeeds`);
      this.failing = true;
      for (const w of waiters) w.reject(err);
      return;
    }
    if (this.failing) this.log(`k8ts: writes to ${this.backend.location} succeed again`);
    this.failing = false;
    for (let i = 0; i < events.length; i++) this.emit(events[i], sizes[i]);
    for (const w of waiters) w.resolve();
  }

  private rollBack(undo: Undo[]): void {
    for (let i = undo.length - 1; i >= 0; i--) {
      const { resource, key, prior } = undo[i];
      if (prior) this.table(resource).set(key, prior);
      else this.byResource.get(resource)?.delete(key);
    }
    this.rev = this.batchStartRev;
  }

  /** Resolves once every write made so far is committed and announced to watchers; rejects with a StatusError when their commit failed. */
  settled(): Promise<void> {
    if (!this.batch.length) return Promise.resolve();
    return new Promise((resolve, reject) => this.committedWaiters.push({ resolve, reject }));
  }

  private emit(ev: StoreEvent, size: number): void {
    this.history.push(ev);
    this.historySizes.push(size);
    this.historyTotal += size;
    this.trimHistory();
    const ws = this.watchers.get(ev.entry.resource);
    if (!ws) return;
    for (const w of ws) {
      if (ev.rev <= w.fromRev || (w.namespace !== undefined && w.namespace !== ev.entry.namespace)) continue;
      try {
        w.listener(ev);
      } catch (e) {
        // A broken watcher must not stop the others or fail the write that was already committed.
        ws.delete(w);
        process.emitWarning(`watch listener failed and was removed: ${(e as Error).message}`);
      }
    }
  }

  /**
   * Deliver every committed event for `resource` after revision `fromRev`, then live events as they
   * are committed, in revision order.
   * Throws ExpiredError when events after `fromRev` are no longer retained.
   */
  watch(resource: string, namespace: string | undefined, fromRev: number, listener: Listener): () => void {
    if (fromRev < this.compactedRev) throw new ExpiredError(`too old resource version: ${fromRev} (${this.compactedRev})`);
    const w: Watcher = { namespace, fromRev, listener };
    if (fromRev < this.rev) {
      const start = lowerBound(this.history, fromRev + 1);
      for (let i = start; i < this.history.length; i++) {
        const ev = this.history[i];
        if (ev.entry.resource === resource && (namespace === undefined || ev.entry.namespace === namespace)) listener(ev);
      }
    }
    let ws = this.watchers.get(resource);
    if (!ws) {
      ws = new Set();
      this.watchers.set(resource, ws);
    }
    ws.add(w);
    return () => void ws!.delete(w);
  }

  /** Drop the oldest events beyond the event count (trimmed at 2x, back to 1x) or byte bound (back to 3/4). */
  private trimHistory(): void {
    const overCount = this.history.length > this.historySize * 2;
    if (!overCount && this.historyTotal <= this.historyBytes) return;
    const keepCount = overCount ? this.historySize : this.history.length;
    const byteTarget = this.historyTotal > this.historyBytes ? (this.historyBytes * 3) / 4 : this.historyTotal;
    let n = this.history.length - keepCount;
    let bytes = this.historyTotal;
    for (let i = 0; i < n; i++) bytes -= this.historySizes[i];
    while (n < this.history.length && bytes > byteTarget) bytes -= this.historySizes[n++];
    if (n === 0) return;
    const dropped = this.history.splice(0, n);
    this.historySizes.splice(0, n);
    this.historyTotal = bytes;
    this.compactedRev = dropped[dropped.length - 1].rev;
  }

  close(): void {
    this.flush();
    this.backend.close();
  }
}

function parseStored(location: string, key: string, value: string): KObject {
  try {
    return JSON.parse(value);
  } catch (e) {
    throw new Error(`cannot load ${location}: the stored value of ${key} is not JSON: ${(e as Error).message}`);
  }
}

function commitFailure(location: string, e: unknown): StatusError {
  const msg = (e as Error)?.message ?? String(e);
  const full = (e as { code?: string })?.code === 'SQLITE_FULL' || /disk is full|ENOSPC/i.test(msg);
  return internalError(`${full ? 'storage is full: ' : ''}cannot commit to ${location}: ${msg}`);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lowerBound(events: StoreEvent[], rev: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].rev < rev) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Stored objects are shared by every reader; freezing makes an accidental write fail loudly. */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
