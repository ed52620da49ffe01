// Streams a watch as newline-delimited JSON events, with Table rows when asked, bookmarks, the client's
// timeout, and a bounded buffer: a watcher that cannot keep up is ended with an error so it re-lists.

import type { ServerResponse } from 'node:http';
import type { ResourceInfo } from '../api/resources.js';
import type { Clock, Timer } from '../machinery/clock.js';
import { StatusError } from '../machinery/errors.js';
import type { WatchEvent } from '../registry/options.js';
import type { KObject } from '../storage/store.js';
import type { TableRequest } from './negotiation.js';
import { toTable } from './table.js';

export interface WatchStreamOptions {
  resource: ResourceInfo;
  table?: TableRequest;
  bookmarks: boolean;
  timeoutSeconds?: number;
  clock: Clock;
  /** Current store revision, for bookmarks. */
  revision: () => number;
  /** Bytes the socket may hold unsent before the watcher counts as too slow. */
  maxBuffered?: number;
}

const BOOKMARK_INTERVAL_MS = 60_000;

// Every watcher of an object gets the same bytes: serialise each stored (frozen) object once per event type.
const encoded = new WeakMap<object, Map<string, string>>();

function encodeEvent(ev: WatchEvent): string {
  if (typeof ev.object !== 'object' || ev.object === null || !Object.isFrozen(ev.object)) return JSON.stringify(ev) + '\n';
  let byType = encoded.get(ev.object);
  if (!byType) {
    byType = new Map();
    encoded.set(ev.object, byType);
  }
  let text = byType.get(ev.type);
  if (text === undefined) {
    text = JSON.stringify(ev) + '\n';
    byType.set(ev.type, text);
  }
  return text;
}

export class WatchStream {
  private stopWatch: (() => void) | undefined;
  private timers: Timer[] = [];
  private headersSent = false;
  private closed = false;
  private lastRV = '';
  /** Events waiting for the end of this event-loop turn, written together in one chunk. */
  private pending: string[] = [];
  private flushScheduled = false;

  constructor(
    private res: ServerResponse,
    private opts: WatchStreamOptions,
  ) {
    res.on('close', () => this.close());
  }

  /** Attach the registry watch; `start` receives the sink and returns the stop function. */
  begin(start: (sink: (ev: WatchEvent) => void) => () => void): void {
    this.res.writeHead(200, { 'Content-Type': this.opts.table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json', 'Transfer-Encoding': 'chunked' });
    this.res.flushHeaders();
    this.stopWatch = start((ev) => this.send(ev));
    if (this.closed) this.stopWatch();
    if (this.opts.timeoutSeconds && this.opts.timeoutSeconds > 0) {
      this.timers.push(this.opts.clock.setTimeout(() => this.end(), this.opts.timeoutSeconds * 1000));
    }
    if (this.opts.bookmarks) this.scheduleBookmark();
  }

  private scheduleBookmark(): void {
    this.timers.push(
      this.opts.clock.setTimeout(() => {
        if (this.closed) return;
        const rv = String(this.opts.revision());
        this.write({ type: 'BOOKMARK', object: { kind: this.opts.resource.kind, apiVersion: this.apiVersion(), metadata: { resourceVersion: rv } } });
        this.scheduleBookmark();
      }, BOOKMARK_INTERVAL_MS),
    );
  }

  private apiVersion(): string {
    const r = this.opts.resource;
    return r.group ? `${r.group}/${r.version}` : r.version;
  }

  send(ev: WatchEvent): void {
    if (this.closed) return;
    this.lastRV = ev.object?.metadata?.resourceVersion ?? this.lastRV;
    let object = ev.object;
    if (this.opts.table && ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') {
      object = toTable(this.opts.resource, [ev.object as KObject], { resourceVersion: this.lastRV }, this.opts.table, this.opts.clock.now(), !this.headersSent) as WatchEvent['object'];
      this.headersSent = true;
    }
    this.write({ type: ev.type, object });
  }

  private write(ev: WatchEvent): void {
    if (this.closed) return;
    this.pending.push(encodeEvent(ev));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed || !this.pending.length) return;
    const chunk = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.res.write(chunk);
    const limit = this.opts.maxBuffered ?? 16 * 1024 * 1024;
    if (this.res.writableLength > limit) {
      const err = new StatusError(410, 'Expired', 'watch closed: the client is not reading events fast enough; re-list and watch again');
      this.res.write(JSON.stringify({ type: 'ERROR', object: err.toStatus() }) + '\n');
      this.end();
    }
  }

  /** End the stream after sending an error event (used when the watch cannot start, e.g. 410 Gone). */
  fail(err: StatusError): void {
    this.write({ type: 'ERROR', object: err.toStatus() });
    this.end();
  }

  end(): void {
    if (this.closed) return;
    const rest = this.pending.join('');
    this.pending = [];
    this.close();
    this.res.end(rest);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopWatch?.();
    for (const t of this.timers) t.cancel();
  }
}
