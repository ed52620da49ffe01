// Interned pod predicates, so NodeInfo can remember per predicate how many of its pods match
// (NodeInfo.countMatching) and a scheduling cycle only recounts the nodes whose pods changed.

import type { PodInfo, PodMatcher } from '../nodeinfo.js';

// Dropped when large, as affinity terms are: matchers already handed out keep working unshared.
const MAX_INTERNED = 10_000;
const interned = new Map<string, PodMatcher>();

/** The one matcher for `key`; `test` must be a pure function of the pod and what `key` encodes. */
export function internMatcher(key: string, test: (p: PodInfo) => boolean, labelKeys?: readonly string[]): PodMatcher {
  let m = interned.get(key);
  if (!m) {
    if (interned.size >= MAX_INTERNED) interned.clear();
    m = labelKeys ? { test, labelKeys } : { test };
    interned.set(key, m);
  }
  return m;
}
