// Patch content that lands in the result without being merged into anything (a new key, a new
// list element, a replaced list or map) still carries directives and nulls. Upstream keeps most of
// them and lets decoding into the Go type drop them; an untyped store has to drop them here:
// - a map carrying `$patch` is dropped (upstream removeDirectives),
// - `$retainKeys`, `$setElementOrder/…` and `$deleteFromPrimitiveList/…` keys are dropped,
// - null map values are dropped (upstream discardNullValuesFromPatch).

import { hasKey, isObject, put, type Json, type JsonObject } from './json.js';

export function isDirectiveKey(key: string): boolean {
  return key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder') || key.startsWith('$deleteFromPrimitiveList');
}

/** The value to store, or undefined when it must not be stored at all. */
export function clean(v: Json): Json | undefined {
  if (Array.isArray(v)) return cleanList(v);
  if (isObject(v)) return hasKey(v, '$patch') ? undefined : cleanMap(v);
  return v;
}

export function cleanList(list: Json[]): Json[] {
  const out: Json[] = [];
  for (const e of list) {
    const c = clean(e);
    if (c !== undefined) out.push(c);
  }
  return out;
}

/** The map's own directive keys (its `$patch` included) are dropped, not the map. */
export function cleanMap(m: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === null || isDirectiveKey(k)) continue;
    const c = clean(v);
    if (c !== undefined) put(out, k, c);
  }
  return out;
}
