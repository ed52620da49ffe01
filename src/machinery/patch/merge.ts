// JSON merge patch (RFC 7386), the `application/merge-patch+json` patch type.

import { cloneJson, get, isObject, put, type Json, type JsonObject } from './json.js';

/** Applies `patch` to `target`; neither is changed and the result shares no objects with them. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  return merge(cloneJson(target), cloneJson(patch));
}

function merge(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else put(result, key, merge(get(result, key), value));
  }
  return result;
}
