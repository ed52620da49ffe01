// The watch cache: every current object in memory, indexed by resource, fed by the backend's own
// stream of committed writes, as kube-apiserver's cacher is fed by an etcd watch. Reads and watches
// never touch the backend; writes are compare-and-swaps the backend decides, and a writer resumes once
// the cache holds its write, so what it wrote is what it reads.

import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Mutable } from '../machinery/objects.js';
import { timeout } from '../machinery/errors.js';
import { logger } from '../machinery/log.js';
import { CompareFailedError, ExpiredError, type Backend, type BackendEvent } from './backend.js';

export { CompareFailedError, ExpiredError };

const log = logger('storage');

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
  /** How long a write may wait for the backend (and for its own event) before it is a 504; 30 s by default. */
  writeTimeoutMs?: number;
  /** How long a consistent read waits for the backend's revision before it is served from the cache as is; 3 s by default. */
  freshTimeoutMs?: number;
}

export interface HistoryStats {
  events: number;
  bytes: number;
  maxBytes: number;
  /** Watches from a revision below this get 410 Expired. */
  oldestRevision: number;
}

/** How long the cache waits before listing again when the backend's watch stream broke. */
const RESYNC_DELAY_MS = 1000;

/** The backend key of an object: `/<resource>/<namespace>/<name>`, or `/<resource>/<name>` when cluster-scoped. */
export function storageKey(resource: string, namespace: string, name: string): string {
  return namespace ? `/${resource}/${namespace}/${name}` : `/${resource}/${name}`;
}

export class Store {
  private rev = 0;
  private byResource = new Map<string, Map<string, Entry>>();
  private byKey = new Map<string, Entry>();
  /** The revision of each resource's newest write, so caches over a resource know when to rebuild. */
  private lastWrites = new Map<string, number>();
  private history: StoreEvent[] = [];
  /** Revision of the newest event that is no longer in `history`; watches from before it are expired. */
  private compactedRev = 0;
  private watchers = new Map<string, Set<Watcher>>();
  /** Serialised size of each event's object, parallel to `history`. */
  private historySizes: number[] = [];
  private historyTotal = 0;
  private readonly historySize: number;
  private readonly historyBytes: number;
  private revisionWaiters: Array<{ rev: number; resolve: () => void }> = [];
  private stopWatch: () => void = () => {};
  private closed = false;
  private readonly writeTimeoutMs: number;
  private readonly freshTimeoutMs: number;
  /** Set while consistent reads fall back to the cache, so an outage is logged once. */
  private readsStale = false;

  private constructor(
    private backend: Backend,
    opts: StoreOptions,
  ) {
    this.historySize = opts.historySize ?? 100_000;
    this.historyBytes = opts.historyBytes ?? 64 * 1024 * 1024;
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 30_000;
    this.freshTimeoutMs = opts.freshTimeoutMs ?? 3_000;
  }

  /** List everything from the backend, then follow its watch stream. */
  static async open(backend: Backend, opts: StoreOptions = {}): Promise<Store> {
    const store = new Store(backend, opts);
    await store.sync();
    return store;
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

  /**
   * Load the backend's objects (a first start, or after its watch stream broke: then the differences
   * are announced as events and watches from before the list expire), then watch from that revision.
   */
  private async sync(): Promise<void> {
    const snap = await this.backend.list();
    const seen = new Set<string>();
    const first = this.byKey.size === 0 && this.rev === 0;
    for (const { key, value, revision } of snap.objects) {
      seen.add(key);
      if (this.byKey.get(key)?.rev === revision) continue;
      const object = parseStored(this.backend.location, key, value);
      if (first) this.insert(key, object, revision);
      else this.apply({ revision, key, value, object }, value.length);
    }
    if (!first) {
      for (const key of [...this.byKey.keys()]) if (!seen.has(key)) this.apply({ revision: snap.revision, key, value: null }, 0);
      this.dropHistory(snap.revision);
    }
    this.rev = Math.max(this.rev, snap.revision);
    this.compactedRev = Math.max(this.compactedRev, first ? snap.revision : this.compactedRev);
    this.stopWatch = this.backend.watch(snap.revision, {
      onEvents: (events, revision) => this.applyAll(events, revision),
      onError: (err) => this.watchBroke(err),
    });
    this.wakeWaiters();
  }

  private watchBroke(err: Error): void {
    if (this.closed) return;
    log.error(`the watch on ${this.backend.location} ended (${err.message}); listing again`);
    this.stopWatch();
    const retry = (): void => {
      if (this.closed) return;
      this.sync().catch((e: Error) => {
        log.error(`cannot list ${this.backend.location}: ${e.message}; retrying`);
        setTimeout(retry, RESYNC_DELAY_MS);
      });
    };
    setTimeout(retry, RESYNC_DELAY_MS);
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
   * Store `object` if the key is at `expectRev` (0: absent), else CompareFailedError; resolves once the
   * write is durable and in this cache, with the object at its new resourceVersion. `object` must be a
   * fresh object the caller no longer changes.
   */
  async put(resource: string, namespace: string, name: string, object: KObject, expectRev: number): Promise<Entry> {
    object.metadata = object.metadata ?? {};
    delete object.metadata.resourceVersion;
    const value = JSON.stringify(object);
    const rev = await this.committed(this.backend.write(storageKey(resource, namespace, name), value, expectRev, object));
    if (!Object.isFrozen(object)) {
      object.metadata.resourceVersion = String(rev);
      deepFreeze(object);
    }
    return { resource, namespace, name, rev, object };
  }

  /**
   * Delete the key if it is at `expectRev`. Watchers get the last stored state at the deletion revision;
   * the caller gets `final` (the object as the deletion left it) at that revision.
   */
  async remove(resource: string, namespace: string, name: string, final: KObject, expectRev: number): Promise<Entry> {
    const rev = await this.committed(this.backend.write(storageKey(resource, namespace, name), null, expectRev));
    final.metadata.resourceVersion = String(rev);
    return { resource, namespace, name, rev, object: final };
  }

  /** Resolves once this cache has applied every write up to `rev`. */
  caughtUp(rev: number): Promise<void> {
    if (rev <= this.rev) return Promise.resolve();
    return new Promise((resolve) => this.revisionWaiters.push({ rev, resolve }));
  }

  /**
   * A write's revision once the backend committed it and this cache holds it. A backend that does not
   * answer in time (etcd unreachable) makes it a 504, as kube-apiserver's request timeout does; the
   * write may still happen, as with any timeout.
   */
  private async committed(write: Promise<number>): Promise<number> {
    return deadline(
      write.then(async (rev) => {
        await this.caughtUp(rev);
        return rev;
      }),
      this.writeTimeoutMs,
      () => timeout(`request did not complete within requested timeout - ${this.backend.location} did not answer within ${this.writeTimeoutMs / 1000}s`, [], 1),
    );
  }

  /**
   * Resolves once this cache holds every write the backend had committed when it was called (a
   * consistent read). When the backend does not answer in time, reads are served from the cache as it
   * is, and that is logged once per outage.
   */
  async fresh(): Promise<void> {
    const caughtUp = this.backend.currentRevision().then((rev) => this.caughtUp(rev));
    try {
      await deadline(caughtUp, this.freshTimeoutMs, () => new Error(`${this.backend.location} did not answer within ${this.freshTimeoutMs / 1000}s`));
      if (this.readsStale) log.info(`${this.backend.location} answers again; reads are consistent again`);
      this.readsStale = false;
    } catch (e) {
      if (!this.readsStale) log.error(`${(e as Error).message}; serving reads from the watch cache at revision ${this.rev} until it answers`);
      this.readsStale = true;
    }
  }

  /** Revision of the newest write to `resource` (0 if none since start). */
  lastWrite(resource: string): number {
    return this.lastWrites.get(resource) ?? 0;
  }

  private applyAll(events: BackendEvent[], revision: number): void {
    for (const ev of events) {
      try {
        this.apply(ev, ev.value?.length ?? 0);
      } catch (e) {
        log.error(`ignoring the write of ${ev.key} at revision ${ev.revision}: ${(e as Error).message}`);
      }
    }
    this.rev = Math.max(this.rev, revision);
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (!this.revisionWaiters.length) return;
    const ready = this.revisionWaiters.filter((w) => w.rev <= this.rev);
    if (!ready.length) return;
    this.revisionWaiters = this.revisionWaiters.filter((w) => w.rev > this.rev);
    for (const w of ready) w.resolve();
  }

  /** Put a loaded object in the cache without announcing it. */
  private insert(key: string, object: KObject, rev: number): Entry {
    object.metadata.resourceVersion = String(rev);
    deepFreeze(object);
    const { resource, namespace, name } = parseKey(key, object);
    const entry: Entry = { resource, namespace, name, rev, object };
    this.table(resource).set(`${namespace}/${name}`, entry);
    this.byKey.set(key, entry);
    return entry;
  }

  private apply(ev: BackendEvent, size: number): void {
    if (ev.revision <= this.rev && this.byKey.get(ev.key)?.rev === ev.revision) return;
    const prior = this.byKey.get(ev.key);
    let event: StoreEvent;
    if (ev.value === null) {
      if (!prior) return;
      this.table(prior.resource).delete(`${prior.namespace}/${prior.name}`);
      this.byKey.delete(ev.key);
      const last = { ...prior.object, metadata: Object.freeze({ ...prior.object.metadata, resourceVersion: String(ev.revision) }) };
      event = { type: 'DELETED', rev: ev.revision, entry: { ...prior, rev: ev.revision, object: Object.freeze(last) }, previous: prior.object };
    } else {
      const object = (ev.object as KObject | undefined) ?? parseStored(this.backend.location, ev.key, ev.value);
      const entry = this.insert(ev.key, object, ev.revision);
      event = { type: prior ? 'MODIFIED' : 'ADDED', rev: ev.revision, entry, previous: prior?.object };
    }
    this.rev = Math.max(this.rev, ev.revision);
    this.lastWrites.set(event.entry.resource, ev.revision);
    this.emit(event, size);
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
        log.error(`watch listener failed and was removed: ${(e as Error).message}`);
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

  /** After a relist the history has a gap: only watches from the list revision on can be served. */
  private dropHistory(rev: number): void {
    this.history = [];
    this.historySizes = [];
    this.historyTotal = 0;
    this.compactedRev = Math.max(this.compactedRev, rev);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopWatch();
    await this.backend.close();
  }
}

/** `p`, or the error from `onTimeout` if it has not settled within `ms`. */
function deadline<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

/** The resource, namespace and name of a key, given the object stored under it. */
function parseKey(key: string, object: KObject): { resource: string; namespace: string; name: string } {
  const name = object.metadata?.name ?? key.slice(key.lastIndexOf('/') + 1);
  const namespace = object.metadata?.namespace ?? '';
  const suffix = namespace ? `/${namespace}/${name}` : `/${name}`;
  if (!key.endsWith(suffix)) throw new Error(`the object stored under ${key} is named ${namespace ? `${namespace}/` : ''}${name}`);
  return { resource: key.slice(1, key.length - suffix.length), namespace, name };
}

function parseStored(location: string, key: string, value: string): KObject {
  let o: KObject;
  try {
    o = JSON.parse(value);
  } catch (e) {
    throw new Error(`cannot load ${location}: the stored value of ${key} is not JSON: ${(e as Error).message}`);
  }
  if (typeof o !== 'object' || o === null) throw new Error(`cannot load ${location}: the stored value of ${key} is not an object`);
  o.metadata ??= {};
  return o;
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
