// JSON values as the patch engines see them, and the few safe operations on them.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own keys only: a patch key such as `constructor` must never reach Object.prototype. */
export function hasKey(o: JsonObject, key: string): boolean {
  return Object.hasOwn(o, key);
}

export function get(o: JsonObject, key: string): Json | undefined {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** Plain assignment would turn a `__proto__` key into a prototype change. */
export function put(o: JsonObject, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

/** A deep copy that the engines may change freely; `undefined` members are dropped as JSON would. */
export function cloneJson(v: unknown): Json {
  if (Array.isArray(v)) return v.map((e) => (e === undefined ? null : cloneJson(e)));
  if (typeof v === 'object' && v !== null) {
    const out: JsonObject = {};
    for (const [k, e] of Object.entries(v)) if (e !== undefined) put(out, k, cloneJson(e));
    return out;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return null;
}
