// Watch over the store with label and field filtering, as the apiserver's cacher does: an object that
// starts or stops matching is sent as ADDED or DELETED.

import { resourceKey, type ResourceInfo } from '../api/resources.js';
import { gone } from '../machinery/errors.js';
import { parseResourceVersion } from './meta.js';
import { ExpiredError, type StoreEvent } from '../storage/store.js';
import type { WatchEvent, WatchOptions } from './options.js';
import type { Registry } from './rest.js';

export type WatchSink = (ev: WatchEvent) => void;

/** Start a watch; events are delivered synchronously to `sink`. Returns the function that stops it. */
export function watch(reg: Registry, r: ResourceInfo, ns: string | undefined, opts: WatchOptions, sink: WatchSink): () => void {
  const f = reg.filter(r, opts.labelSelector, opts.fieldSelector);
  const key = resourceKey(r);
  const scope = r.namespaced ? ns : undefined;
  const rvText = opts.resourceVersion ?? '';
  let from: number;
  if (rvText === '' || rvText === '0') {
    const { entries, revision } = reg.store.list(key, scope);
    for (const e of entries) if (f.matches(e.object)) sink({ type: 'ADDED', object: e.object });
    from = revision;
  } else {
    from = parseResourceVersion(rvText);
  }
  const onEvent = (ev: StoreEvent) => {
    const now = f.matches(ev.entry.object);
    const before = ev.previous !== undefined && f.matches(ev.previous);
    if (ev.type === 'ADDED') {
      if (now) sink({ type: 'ADDED', object: ev.entry.object });
    } else if (ev.type === 'MODIFIED') {
      if (now && before) sink({ type: 'MODIFIED', object: ev.entry.object });
      else if (now) sink({ type: 'ADDED', object: ev.entry.object });
      else if (before) sink({ type: 'DELETED', object: ev.entry.object });
    } else if (before || now) {
      sink({ type: 'DELETED', object: ev.entry.object });
    }
  };
  try {
    return reg.store.watch(key, scope, from, onEvent);
  } catch (e) {
    if (e instanceof ExpiredError) throw gone(e.message);
    throw e;
  }
}
