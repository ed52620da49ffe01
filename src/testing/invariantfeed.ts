// Feeds an InvariantChecker from watches of pods, nodes, PodDisruptionBudgets and StatefulSets.
//
// k8ts has one revision counter for all resources, so the watches merge into one stream by resourceVersion.
// In process, every watch is told of commits in revision order on the same turn, so events already arrive
// in that order and are checked as they come (window 0). Over HTTPS each watch is its own connection and
// may lag the others a little: events are held for a short window and released in resourceVersion order.
// An event arriving after a newer one was released (a lag longer than the window) is still checked, and
// counted in `late()`, since each watch on its own is always in order.

import type { Client, TypedRef } from '../client/client.js';
import { REFS } from '../client/client.js';
import type { ClientWatchEvent, WatchHandle } from '../client/transport.js';
import type { WatchEvent } from './invariants.js';

/** What the feed drives: an InvariantChecker, or anything else that takes the merged stream. */
export interface Observer {
  observe(ev: WatchEvent): void;
}

export interface Feed {
  stop(): void;
  /** Events checked after a newer one had already been (their watch lagged more than the window). */
  late(): number;
}

/** The four watches, nodes first so that the pods listed at the start are checked against known nodes. */
const WATCHED: Array<[TypedRef<unknown>, string]> = [
  [REFS.nodes, 'Node'],
  [REFS.poddisruptionbudgets, 'PodDisruptionBudget'],
  [REFS.statefulsets, 'StatefulSet'],
  [REFS.pods, 'Pod'],
];

/** Releases events to the checker in resourceVersion order once they are `windowMs` old. */
class ReorderBuffer {
  private held: Array<{ rv: number; arrived: number; ev: WatchEvent }> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastRv = 0;
  lateCount = 0;

  constructor(
    private readonly checker: Observer,
    private readonly windowMs: number,
  ) {}

  push(ev: WatchEvent): void {
    const rv = Number(ev.object?.metadata?.resourceVersion) || 0;
    if (this.windowMs <= 0) return this.release(rv, ev);
    this.held.push({ rv, arrived: Date.now(), ev });
    this.schedule();
  }

  flush(all = false): void {
    this.timer = undefined;
    this.held.sort((a, b) => a.rv - b.rv);
    const cutoff = Date.now() - this.windowMs;
    while (this.held.length && (all || this.held[0].arrived <= cutoff)) {
      const h = this.held.shift()!;
      this.release(h.rv, h.ev);
    }
    if (this.held.length) this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.flush(true);
  }

  private release(rv: number, ev: WatchEvent): void {
    if (rv < this.lastRv) this.lateCount++;
    this.lastRv = Math.max(this.lastRv, rv);
    this.checker.observe(ev);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.windowMs);
    this.timer.unref?.();
  }
}

function withKind(ev: ClientWatchEvent, kind: string): WatchEvent | undefined {
  if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') return undefined;
  const object = ev.object?.kind ? ev.object : { ...ev.object, kind };
  return { type: ev.type, object };
}

/**
 * Watch all namespaces (or `namespace`) through `client` and feed `checker`. A watch the server ends is
 * reopened from the last resourceVersion it delivered; one that failed (410 Gone) is reopened from now,
 * which replays the objects as ADDED (deletions inside the gap are not seen).
 */
export function feedFromClient(client: Client, checker: Observer, opts: { namespace?: string; windowMs?: number } = {}): Feed {
  const buffer = new ReorderBuffer(checker, opts.windowMs ?? 0);
  const handles = new Map<string, WatchHandle>();
  let stopped = false;
  const open = (ref: TypedRef<unknown>, kind: string, resourceVersion?: string) => {
    let rv = resourceVersion;
    const h = client.resource(ref).watch(
      kind === 'Node' ? undefined : opts.namespace,
      { resourceVersion: rv },
      (ev) => {
        const e = withKind(ev, kind);
        if (!e) return;
        rv = e.object.metadata?.resourceVersion ?? rv;
        buffer.push(e);
      },
      (err) => {
        if (!stopped) setTimeout(() => !stopped && open(ref, kind, err ? undefined : rv), err ? 100 : 0).unref?.();
      },
    );
    handles.set(kind, h);
  };
  for (const [ref, kind] of WATCHED) open(ref, kind);
  return {
    stop() {
      stopped = true;
      for (const h of handles.values()) h.stop();
      buffer.stop();
    },
    late: () => buffer.lateCount,
  };
}

/** Feed from any transport's watch streams (each in resourceVersion order); `done` settles when all end. */
export function feed(checker: Observer, sources: Array<AsyncIterable<WatchEvent>>, opts: { windowMs?: number } = {}): Feed & { done: Promise<void> } {
  const buffer = new ReorderBuffer(checker, opts.windowMs ?? 100);
  let stopped = false;
  const done = Promise.all(
    sources.map(async (src) => {
      for await (const ev of src) {
        if (stopped) return;
        buffer.push(ev);
      }
    }),
  )
    .then(() => undefined)
    .finally(() => buffer.stop());
  return {
    done,
    stop() {
      stopped = true;
      buffer.stop();
    },
    late: () => buffer.lateCount,
  };
}

export interface HttpsTarget {
  /** The server URL, as in a kubeconfig (`https://127.0.0.1:6443`). */
  server: string;
  /** PEM of the cluster CA. */
  ca: string;
  token: string;
}

/**
 * One watch over HTTPS as newline-delimited JSON (`/api/v1/pods?watch=true`), with `kind` filled in.
 * Ends when the server closes the stream or `signal` aborts.
 */
export async function* httpsWatch(target: HttpsTarget, path: string, kind: string, signal?: AbortSignal): AsyncGenerator<WatchEvent> {
  const https = await import('node:https');
  const url = new URL(path, target.server);
  let res: import('node:http').IncomingMessage;
  try {
    res = await new Promise((resolve, reject) => {
      const req = https.request(url, { ca: target.ca, headers: { Authorization: `Bearer ${target.token}` }, signal }, resolve);
      req.on('error', reject);
      req.end();
    });
  } catch (e) {
    if (signal?.aborted) return;
    throw e;
  }
  if (res.statusCode !== 200) throw new Error(`watch ${path}: HTTP ${res.statusCode}`);
  let buf = '';
  try {
    for await (const chunk of res) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        const ev = withKind(JSON.parse(line) as ClientWatchEvent, kind);
        if (ev) yield ev;
      }
    }
  } catch (e) {
    if (!signal?.aborted) throw e;
  }
}

/** The four watch paths httpsWatch takes, with their kinds, nodes first. */
export const WATCH_PATHS: Array<[string, string]> = [
  ['/api/v1/nodes?watch=true', 'Node'],
  ['/apis/policy/v1/poddisruptionbudgets?watch=true', 'PodDisruptionBudget'],
  ['/apis/apps/v1/statefulsets?watch=true', 'StatefulSet'],
  ['/api/v1/pods?watch=true', 'Pod'],
];
