// What a controller wrote and its informer has not shown yet (upstream's EndpointSliceTracker and the
// PV controller's own stores, simplified): a sync right after a create, update or delete must not act on
// the older cached copy, or it would create a second object or lose the compare-and-swap.

import { cacheKey, type Informer } from './informer.js';
import type { KubeObject, Obj } from './objects.js';

const rv = (o: KubeObject) => Number(o.metadata!.resourceVersion);

/** `T` is the informer's kind; its untyped default is the one Informer has, for callers not yet typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same untyped default as Informer<T = any>
export class WrittenObjects<T = any> {
  private written = new Map<string, Obj<T>>();
  private deleted = new Set<string>();
  private ownVersions = new Map<string, string>();

  constructor(private informer: Informer<T>) {
    const settle = (o: Obj<T>) => {
      const k = cacheKey(o);
      const w = this.written.get(k);
      if (w && rv(o) >= rv(w)) this.written.delete(k);
    };
    informer.addHandler({
      add: settle,
      update: (_old, o) => settle(o),
      delete: (o) => {
        this.written.delete(cacheKey(o));
        this.deleted.delete(cacheKey(o));
        this.ownVersions.delete(cacheKey(o));
      },
    });
  }

  remember(obj: Obj<T>): void {
    const k = cacheKey(obj);
    this.deleted.delete(k);
    this.ownVersions.set(k, obj.metadata.resourceVersion);
    const seen = this.informer.get(k);
    if (!seen || rv(obj) > rv(seen)) this.written.set(k, obj);
  }

  /** Drop what was remembered about the object; the informer's copy is used again. */
  forget(obj: Obj<T>): void {
    this.written.delete(cacheKey(obj));
  }

  markDeleted(obj: Obj<T>): void {
    const k = cacheKey(obj);
    this.written.delete(k);
    if (this.informer.get(k)) this.deleted.add(k);
  }

  /** Whether this version of the object is one this controller wrote itself. */
  isOwnWrite(obj: Obj<T>): boolean {
    return this.ownVersions.get(cacheKey(obj)) === obj.metadata.resourceVersion;
  }

  /** The freshest view of one cached object (undefined once deleted). */
  fresh(obj: Obj<T>): Obj<T> | undefined {
    const k = cacheKey(obj);
    if (this.deleted.has(k)) return undefined;
    const w = this.written.get(k);
    return w && rv(w) > rv(obj) ? w : obj;
  }

  get(key: string): Obj<T> | undefined {
    if (this.deleted.has(key)) return undefined;
    const seen = this.informer.get(key);
    return seen ? this.fresh(seen) : this.written.get(key);
  }

  /** Written objects the informer does not hold yet, for listings. */
  pending(): Array<Obj<T>> {
    return [...this.written.entries()].filter(([k]) => !this.informer.get(k)).map(([, o]) => o);
  }

  /** Every object, each in its freshest known version. */
  list(): Array<Obj<T>> {
    const out: Array<Obj<T>> = [];
    for (const o of this.informer.list()) {
      const f = this.fresh(o);
      if (f) out.push(f);
    }
    return [...out, ...this.pending()];
  }
}
