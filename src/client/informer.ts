// A shared informer: list, then watch, keeping a local cache and telling handlers about changes.
// On a watch error (410 Gone, a closed stream) it re-lists and replays the difference as events.

import type { Clock } from '../machinery/clock.js';
import { logger } from '../machinery/log.js';
import type { ResourceClient } from './client.js';
import type { KubeObject, Obj } from './objects.js';

const log = logger('reflector');

// `any` is the default only for code not yet typed (eslint.config.js lists it).
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface EventHandlers<T = any> {
  add?(obj: Obj<T>): void;
  update?(oldObj: Obj<T>, newObj: Obj<T>): void;
  delete?(obj: Obj<T>): void;
}

export type IndexFunc<T = any> = (obj: Obj<T>) => string[];
/* eslint-enable @typescript-eslint/no-explicit-any */

export function cacheKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Informer<T = any> {
  private items = new Map<string, Obj<T>>();
  private handlers: Array<EventHandlers<T>> = [];
  private indexers = new Map<string, IndexFunc<T>>();
  private indices = new Map<string, Map<string, Set<string>>>();
  private stopWatch: (() => void) | undefined;
  private stopped = false;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private rv = '';

  constructor(
    private client: ResourceClient<T>,
    private clock: Clock,
    private opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ) {
    this.addIndex('namespace', (o) => [o.metadata?.namespace ?? '']);
  }

  addHandler(h: EventHandlers<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const o of this.items.values()) h.add?.(o);
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indices.set(name, idx);
    for (const [k, o] of this.items) for (const v of fn(o)) addTo(idx, v, k);
  }

  get(key: string): Obj<T> | undefined {
    return this.items.get(key);
  }

  getByName(ns: string, name: string): Obj<T> | undefined {
    return this.items.get(ns ? `${ns}/${name}` : name);
  }

  list(): Array<Obj<T>> {
    return [...this.items.values()];
  }

  byIndex(name: string, value: string): Array<Obj<T>> {
    const keys = this.indices.get(name)?.get(value);
    if (!keys) return [];
    const out: Array<Obj<T>> = [];
    for (const k of keys) {
      const o = this.items.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const list = await this.client.list(this.opts.namespace, { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector });
      this.replace(list.items as Array<Obj<T>>);
      this.rv = list.metadata.resourceVersion;
      this.startWatch();
      if (!this.synced) {
        this.synced = true;
        for (const w of this.syncWaiters.splice(0)) w();
      }
    } catch (e) {
      const { group, version, plural } = this.client.ref;
      log.error('Failed to list, will retry', { resource: `${plural}${group ? '.' + group : ''}/${version}`, err: e });
      this.clock.setTimeout(() => void this.relist(), 1000);
    }
  }

  private startWatch(): void {
    if (this.stopped) return;
    const h = this.client.watch(
      this.opts.namespace,
      { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, resourceVersion: this.rv },
      (ev) => {
        if (ev.type === 'ERROR') return;
        if (ev.object?.metadata?.resourceVersion) this.rv = ev.object.metadata.resourceVersion;
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.upsert(ev.object);
        else if (ev.type === 'DELETED') this.remove(cacheKey(ev.object), ev.object);
      },
      () => {
        if (this.stopped) return;
        this.clock.setTimeout(() => void this.relist(), 0);
      },
    );
    this.stopWatch = () => h.stop();
  }

  private replace(objs: Array<Obj<T>>): void {
    const seen = new Set<string>();
    for (const o of objs) {
      seen.add(cacheKey(o));
      this.upsert(o);
    }
    for (const [k, o] of [...this.items]) if (!seen.has(k)) this.remove(k, o);
  }

  private upsert(obj: Obj<T>): void {
    const k = cacheKey(obj);
    const old = this.items.get(k);
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    if (old) this.unindex(k, old);
    this.items.set(k, obj);
    this.index(k, obj);
    for (const h of this.handlers) {
      if (old) h.update?.(old, obj);
      else h.add?.(obj);
    }
  }

  private remove(k: string, last: Obj<T> | undefined): void {
    const old = this.items.get(k);
    if (!old) return;
    this.unindex(k, old);
    this.items.delete(k);
    for (const h of this.handlers) h.delete?.(last ?? old);
  }

  private index(k: string, o: Obj<T>): void {
    for (const [name, fn] of this.indexers) for (const v of fn(o)) addTo(this.indices.get(name)!, v, k);
  }

  private unindex(k: string, o: Obj<T>): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of fn(o)) {
        const s = idx.get(v);
        s?.delete(k);
        if (s && !s.size) idx.delete(v);
      }
    }
  }
}

function addTo(idx: Map<string, Set<string>>, v: string, k: string): void {
  let s = idx.get(v);
  if (!s) {
    s = new Set();
    idx.set(v, s);
  }
  s.add(k);
}
