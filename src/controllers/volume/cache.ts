// The PV controller's "latest known version" cache: an informer view overlaid with the objects this
// controller has just written, so a sync right after a write does not act on the stale informer copy
// and lose the compare-and-swap (pv_controller.go keeps its own volume and claim stores for this).

import { cacheKey, type Informer } from '../../client/informer.js';

function newer(a: any, b: any): boolean {
  return Number(a.metadata.resourceVersion) > Number(b.metadata.resourceVersion);
}

export class LatestCache {
  private written = new Map<string, any>();

  constructor(private informer: Informer) {
    informer.addHandler({
      update: (_old, obj) => this.caughtUp(obj),
      add: (obj) => this.caughtUp(obj),
      delete: (obj) => this.written.delete(cacheKey(obj)),
    });
  }

  private caughtUp(obj: any): void {
    const k = cacheKey(obj);
    const w = this.written.get(k);
    if (w && !newer(w, obj)) this.written.delete(k);
  }

  /** Record an object returned by a write. */
  remember(obj: any): void {
    const k = cacheKey(obj);
    const seen = this.informer.get(k);
    if (seen && !newer(obj, seen)) return;
    this.written.set(k, obj);
  }

  forget(obj: any): void {
    this.written.delete(cacheKey(obj));
  }

  get(key: string): any | undefined {
    const seen = this.informer.get(key);
    const w = this.written.get(key);
    if (!w) return seen;
    if (!seen) return w;
    return newer(w, seen) ? w : seen;
  }

  list(): any[] {
    const out: any[] = [];
    for (const o of this.informer.list()) out.push(this.get(cacheKey(o)));
    for (const [k, w] of this.written) if (!this.informer.get(k)) out.push(w);
    return out;
  }
}
