// What a controller wrote and its informer has not shown yet (upstream's EndpointSliceTracker and the
// PV controller's own stores, simplified): a sync right after a create, update or delete must not act on
// the older cached copy, or it would create a second object or lose the compare-and-swap.

import { cacheKey, type Informer } from './informer.js';

const rv = (o: any) => Number(o.metadata.resourceVersion);

export class WrittenObjects {
  private written = new Map<string, any>();
  private deleted = new Set<string>();
  private ownVersions = new Map<string, string>();

  constructor(private informer: Informer) {
    const settle = (o: any) => {
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

  remember(obj: any): void {
    const k = cacheKey(obj);
    this.deleted.delete(k);
    this.ownVersions.set(k, obj.metadata.resourceVersion);
    const seen = this.informer.get(k);
    if (!seen || rv(obj) > rv(seen)) this.written.set(k, obj);
  }

  /** Drop what was remembered about the object; the informer's copy is used again. */
  forget(obj: any): void {
    this.written.delete(cacheKey(obj));
  }

  markDeleted(obj: any): void {
    const k = cacheKey(obj);
    this.written.delete(k);
    if (this.informer.get(k)) this.deleted.add(k);
  }

  /** Whether this version of the object is one this controller wrote itself. */
  isOwnWrite(obj: any): boolean {
    return this.ownVersions.get(cacheKey(obj)) === obj.metadata.resourceVersion;
  }

  /** The freshest view of one cached object (undefined once deleted). */
  fresh(obj: any): any | undefined {
    const k = cacheKey(obj);
    if (this.deleted.has(k)) return undefined;
    const w = this.written.get(k);
    return w && rv(w) > rv(obj) ? w : obj;
  }

  get(key: string): any | undefined {
    if (this.deleted.has(key)) return undefined;
    const seen = this.informer.get(key);
    return seen ? this.fresh(seen) : this.written.get(key);
  }

  /** Written objects the informer does not hold yet, for listings. */
  pending(): any[] {
    return [...this.written.entries()].filter(([k]) => !this.informer.get(k)).map(([, o]) => o);
  }

  /** Every object, each in its freshest known version. */
  list(): any[] {
    const out: any[] = [];
    for (const o of this.informer.list()) {
      const f = this.fresh(o);
      if (f) out.push(f);
    }
    return [...out, ...this.pending()];
  }
}
