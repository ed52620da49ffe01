// The etcd backend, stored as kube-apiserver stores it: each object's JSON under `/registry/<key>`, its
// revision the key's mod_revision, writes as one compare-and-swap transaction, and the watch cache fed
// by one watch on the whole keyspace. The Compactor is kube-apiserver's: one compaction per interval
// however many servers share the etcd.

import { handleType, noop, retry } from 'cockatiel';
import { Etcd3, GRPCUnavailableError, Range, type ICompare, type IKeyValue, type IRequestOp, type IWatchResponse, type Watcher } from 'etcd3';
import { realClock, type Clock, type Timer } from '../machinery/clock.js';
import { internalError, requestEntityTooLarge, type StatusError } from '../machinery/errors.js';
import { logger } from '../machinery/log.js';
import { CompareFailedError, ExpiredError, type Backend, type BackendEvent, type Snapshot, type StoredValue, type WatchHandler } from './backend.js';

const log = logger('etcd');

export interface EtcdBackendOptions {
  /** Where the objects live in etcd's keyspace; kube-apiserver's `--etcd-prefix` default. */
  prefix?: string;
  /** Keys per page when listing: big enough that a list is a few round trips, small enough for gRPC's message limit. */
  pageSize?: number;
}

export class EtcdBackend implements Backend {
  readonly location: string;
  readonly client: Etcd3;
  /** The prefix without a trailing slash: keys are `${root}/pods/default/web-0`. */
  private readonly root: string;
  private readonly scope: Range;
  private readonly stops = new Set<() => void>();
  /** Objects this process wrote, by revision, handed to the watch event of that write instead of parsing it back. */
  private written = new Map<number, { key: string; object: unknown }>();
  private delivered = 0;
  private readonly pageSize: number;

  constructor(url: string | string[], opts: EtcdBackendOptions = {}) {
    this.location = Array.isArray(url) ? url.join(',') : url;
    // etcd3's default fault handling opens a circuit for 5 s after three "recoverable" errors in a row,
    // and counts a value over etcd's size limit as one: one oversized write would stop every other.
    // Only a lost connection is retried here; the store's own timeouts bound a backend that hangs.
    this.client = new Etcd3({
      hosts: url,
      faultHandling: { host: () => noop, global: retry(handleType(GRPCUnavailableError), { maxAttempts: 3 }) },
    });
    this.root = (opts.prefix ?? '/registry').replace(/\/+$/, '');
    this.scope = Range.prefix(`${this.root}/`);
    this.pageSize = opts.pageSize ?? 5000;
  }

  private etcdKey(key: string): Buffer {
    return Buffer.from(this.root + key);
  }

  /** The Store's key of an etcd key, or undefined when it is outside the prefix. */
  private storeKey(kv: IKeyValue): string | undefined {
    return this.scope.includes(kv.key) ? kv.key.toString('utf8', Buffer.byteLength(this.root)) : undefined;
  }

  async list(): Promise<Snapshot> {
    const objects: StoredValue[] = [];
    let start = this.scope.start;
    let revision = 0;
    for (;;) {
      const res = await this.client.kv.range({ key: start, range_end: this.scope.end, limit: this.pageSize, revision: revision || undefined });
      revision ||= Number(res.header.revision);
      for (const kv of res.kvs) objects.push({ key: this.storeKey(kv)!, value: kv.value.toString(), revision: Number(kv.mod_revision) });
      if (!res.more || !res.kvs.length) return { revision, objects };
      start = Buffer.concat([res.kvs[res.kvs.length - 1].key, Buffer.from([0])]);
    }
  }

  async write(key: string, value: string | null, expectRevision: number, object?: unknown): Promise<number> {
    const k = this.etcdKey(key);
    if (value === null && expectRevision === 0) {
      // Deleting "an absent key" deletes nothing: a failed compare, as in the local backend.
      const res = await this.client.kv.range({ key: k, keys_only: true });
      throw new CompareFailedError(key, 0, Number(res.kvs[0]?.mod_revision ?? 0), Number(res.header.revision));
    }
    const compare: ICompare =
      expectRevision === 0 ? { key: k, target: 'Create', result: 'Equal', create_revision: 0 } : { key: k, target: 'Mod', result: 'Equal', mod_revision: expectRevision };
    const op: IRequestOp = value === null ? { request_delete_range: { key: k } } : { request_put: { key: k, value: Buffer.from(value) } };
    const res = await this.client.kv.txn({ compare: [compare], success: [op], failure: [{ request_range: { key: k, keys_only: true } }] }).catch((e: Error) => {
      throw writeFailure(this.location, e);
    });
    const revision = Number(res.header.revision);
    if (!res.succeeded) {
      const actual = Number(res.responses[0]?.response_range?.kvs[0]?.mod_revision ?? 0);
      throw new CompareFailedError(key, expectRevision, actual, revision);
    }
    // Only while a watch will take it back out; an event already delivered had to be parsed anyway.
    if (object !== undefined && value !== null && this.stops.size && revision > this.delivered) this.written.set(revision, { key, object });
    return revision;
  }

  /**
   * One watch on every key, so the cache's revision follows every revision (kube's compactor writes
   * `compact_rev_key` at the root). It starts at `fromRevision` itself rather than after it, so etcd
   * refuses it exactly when history at or below a compaction is needed, as the local backend does;
   * events already delivered are skipped, also after etcd3 reconnects the stream.
   */
  watch(fromRevision: number, handler: WatchHandler): () => void {
    let last = fromRevision;
    let stopped = false;
    const watcher: Watcher = this.client.watch().prefix('').startRevision(String(Math.max(1, last))).watcher();
    // etcd3 resumes from the response header's revision + 1, which during a catch-up can be ahead of
    // the events received so far: resume from what was delivered instead. These listeners run after
    // etcd3's own, so theirs is overwritten.
    const resumePoint = (): void => void (watcher.request.start_revision = String(Math.max(1, last)));
    watcher.on('connected', resumePoint);
    watcher.on('data', (res: IWatchResponse) => {
      if (stopped) return;
      const { events, revision } = this.decode(res, last);
      if (revision > last) {
        last = revision;
        this.delivered = Math.max(this.delivered, revision);
        try {
          handler.onEvents(events, revision);
        } catch (e) {
          // etcd3 rethrows a listener's error outside the stream, which would end the process.
          log.error('a storage watcher failed and was removed', { err: (e as Error).message });
          stop();
          return;
        }
      }
      resumePoint();
    });
    watcher.on('error', (err: Error) => {
      if (stopped) return;
      // etcd3 has already dropped the cancelled watcher: nothing to cancel.
      stopped = true;
      this.stops.delete(stop);
      this.expired(last).then(
        (expired) => handler.onError(expired ? new ExpiredError(`required revision ${last} has been compacted`) : err),
        () => handler.onError(err),
      );
    });
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      this.stops.delete(stop);
      watcher.cancel().catch(() => {});
    };
    this.stops.add(stop);
    return stop;
  }

  /** The events of a watch response after revision `after`, and the revision the response brings the watcher to. */
  private decode(res: IWatchResponse, after: number): { events: BackendEvent[]; revision: number } {
    if (!res.events.length) return { events: [], revision: Number(res.header.revision) };
    const events: BackendEvent[] = [];
    let revision = 0;
    for (const { type, kv } of res.events) {
      const rev = Number(kv.mod_revision);
      if (rev <= after) continue;
      revision = Math.max(revision, rev);
      const key = this.storeKey(kv);
      if (key === undefined) continue;
      const mine = this.written.get(rev);
      const object = type !== 'Delete' && mine?.key === key ? mine.object : undefined;
      events.push({ revision: rev, key, value: type === 'Delete' ? null : kv.value.toString(), ...(object !== undefined && { object }) });
    }
    for (const rev of this.written.keys()) if (rev <= revision) this.written.delete(rev);
    return { events, revision };
  }

  /** Whether reading at `revision` needs compacted history (a watch from it was cancelled). */
  private async expired(revision: number): Promise<boolean> {
    try {
      await this.client.kv.range({ key: this.etcdKey(''), revision: Math.max(1, revision), keys_only: true });
      return false;
    } catch (e) {
      if (isCompacted(e)) return true;
      throw e;
    }
  }

  async currentRevision(): Promise<number> {
    // A linearizable read of one (absent) key: cheap, and its header carries the committed revision.
    const res = await this.client.kv.range({ key: this.etcdKey(''), keys_only: true });
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    await compactEtcd(this.client, Math.min(revision, await this.currentRevision()));
  }

  async close(): Promise<void> {
    for (const stop of [...this.stops]) stop();
    this.client.close();
  }
}

function isCompacted(e: unknown): boolean {
  return /required revision has been compacted/.test((e as Error)?.message ?? '');
}

/** Compact etcd's history at `revision`; a revision that is already compacted is not an error. */
async function compactEtcd(client: Etcd3, revision: number): Promise<void> {
  if (revision <= 0) return;
  try {
    await client.kv.compact({ revision, physical: false });
  } catch (e) {
    if (!isCompacted(e)) throw e;
  }
}

/**
 * What etcd refused, as the client's Status: a value over etcd's request limit (--max-request-bytes,
 * 1.5 MiB by default) is the client's 413, anything else a 500 naming etcd. The gRPC prefix
 * (`3 INVALID_ARGUMENT: `) is dropped: the message is etcd's own, as kube-apiserver shows it.
 */
function writeFailure(location: string, e: Error): StatusError {
  const message = e.message.replace(/^\d+ [A-Z_]+: /, '');
  if (/request is too large|received message larger than max/.test(message)) return requestEntityTooLarge(message);
  return internalError(`${message} (etcd at ${location})`);
}

/** The key kube-apiserver's compactors coordinate on, at etcd's root whatever the prefix. */
export const COMPACT_REV_KEY = 'compact_rev_key';

export interface CompactorOptions {
  /** kube-apiserver's `--etcd-compaction-interval`: 5 minutes. */
  intervalMs?: number;
  clock?: Clock;
}

/**
 * Every interval each server bumps `compact_rev_key` if its version is still the one the server saw
 * last time; the one that succeeds compacts to the revision it recorded an interval ago, so history
 * is kept for at least one interval and the servers on one etcd compact once per interval.
 */
export class Compactor {
  private readonly client: Etcd3;
  private readonly intervalMs: number;
  private readonly clock: Clock;
  /** The version of compact_rev_key this server saw last. */
  private version = 0;
  /** The revision recorded at the previous interval: the next compaction's target. */
  private revision = 0;
  private timer: Timer | undefined;
  private running = false;

  constructor(target: EtcdBackend | Etcd3, opts: CompactorOptions = {}) {
    this.client = target instanceof EtcdBackend ? target.client : target;
    this.intervalMs = opts.intervalMs ?? 5 * 60_000;
    this.clock = opts.clock ?? realClock;
  }

  /** One interval's step; resolves with the revision it compacted to, or 0 when another server's turn came first (or on bootstrap). */
  async compactOnce(): Promise<number> {
    const key = Buffer.from(COMPACT_REV_KEY);
    const res = await this.client.kv.txn({
      compare: [{ key, target: 'Version', result: 'Equal', version: this.version }],
      success: [{ request_put: { key, value: Buffer.from(String(this.revision)) } }],
      failure: [{ request_range: { key } }],
    });
    const target = this.revision;
    this.revision = Number(res.header.revision);
    if (!res.succeeded) {
      this.version = Number(res.responses[0]?.response_range?.kvs[0]?.version ?? 0);
      return 0;
    }
    this.version++;
    // Nothing was recorded before the first interval: no compaction on bootstrap.
    if (target === 0) return 0;
    await compactEtcd(this.client, target);
    return target;
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.compactOnce()
        .catch((e: Error) => log.error('etcd compaction failed', { err: e.message }))
        .finally(() => this.running && this.schedule());
    }, this.intervalMs);
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
  }
}
