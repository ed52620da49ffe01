// Strategic merge patch, as the apiserver applies it: apimachinery pkg/util/strategicpatch
// StrategicMergeMapPatch (MergeParallelList and IgnoreUnmatchedNulls on), driven by the per-type
// patch metadata of src/api/patchmeta.ts instead of Go struct tags.

import { cloneJson, get, hasKey, isObject, put, type Json, type JsonObject } from './json.js';
import { fieldPatchMeta, type PatchSchema } from './schema.js';
import { clean, cleanList, cleanMap } from './strategic-clean.js';
import { errBadArgType, errBadPatchType, errNotAnObject, errPrimitiveList, errRetainKeys, errSetElementOrderList, LIST_TYPE } from './strategic-errors.js';
import { mergeList, type MergedList } from './strategic-list.js';
import { elementKind, normalizeElementOrder, partition, validateSetElementOrder } from './strategic-order.js';

const RETAIN_KEYS = '$retainKeys';
const DELETE_PREFIX = '$deleteFromPrimitiveList';
const ORDER_PREFIX = '$setElementOrder';

/** Applies `patch` to `original`; neither is changed. Throws StatusError for a malformed patch. */
export function strategicMergePatch(original: unknown, patch: unknown, schema: PatchSchema): unknown {
  const p = cloneJson(patch);
  if (p !== null && !isObject(p)) throw errNotAnObject(p);
  const o = cloneJson(original);
  return mergeMap(isObject(o) ? o : {}, p ?? {}, schema);
}

/** Merges `patch` into `original`, changing both (they are the engine's own copies). */
function mergeMap(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): JsonObject {
  if (hasKey(patch, '$patch')) {
    if (patch.$patch === 'replace') return cleanMap(patch);
    if (patch.$patch === 'delete') return {};
    throw errBadPatchType(patch.$patch, patch);
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema);

  for (const key of Object.keys(patch)) {
    const deleteList = key.startsWith(DELETE_PREFIX);
    const field = deleteList ? listField(key, DELETE_PREFIX, errPrimitiveList) : key;
    const value = patch[key];
    const current = get(original, field);
    if (value === null) {
      delete original[field];
      continue;
    }
    if (current === undefined || current === null || shape(current) !== shape(value)) {
      if (!deleteList) store(original, field, clean(value));
      continue;
    }
    const meta = fieldPatchMeta(schema, field);
    if (isObject(current)) {
      put(original, field, meta.strategy === 'replace' ? cleanMap(value as JsonObject) : mergeMap(current, value as JsonObject, meta.schema));
    } else if (Array.isArray(current)) {
      const merge = meta.strategy === 'merge' || deleteList;
      put(original, field, merge ? mergeList(field, current, value as Json[], meta, deleteList, mergeMap).merged : cleanList(value as Json[]));
    } else {
      put(original, field, value);
    }
  }
  return original;
}

function shape(v: Json): 'map' | 'list' | 'scalar' {
  return Array.isArray(v) ? 'list' : isObject(v) ? 'map' : 'scalar';
}

function store(o: JsonObject, key: string, v: Json | undefined): void {
  if (v === undefined) delete o[key];
  else put(o, key, v);
}

/** `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>` name the list after the slash. */
function listField(key: string, prefix: string, malformed: () => Error): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw malformed();
  return key.slice(slash + 1);
}

/** `$retainKeys: [...]` clears every field of the original map it does not list. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasKey(patch, RETAIN_KEYS)) return;
  const keys = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keys)) throw errRetainKeys();
  const retained = new Set<Json>(keys);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PREFIX) || k.startsWith(ORDER_PREFIX)) continue;
    if (!retained.has(k)) throw errRetainKeys();
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

/**
 * `$setElementOrder/<field>` merges the list it names (when the patch has one) and then orders the
 * result: items it lists in its order, server-only items kept where the live list had them.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(ORDER_PREFIX)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType(LIST_TYPE, order);
    const field = listField(key, ORDER_PREFIX, errSetElementOrderList);
    const meta = fieldPatchMeta(schema, field);
    // An atomic list has no order to keep: its patch value replaces it in the main merge.
    if (meta.strategy !== 'merge') continue;

    const current = get(original, field) ?? null;
    const patchList = get(patch, field);
    if (current !== null && !Array.isArray(current)) throw errBadArgType(LIST_TYPE, current);
    if (patchList !== undefined && !Array.isArray(patchList)) throw errBadArgType(LIST_TYPE, patchList);
    const mergeKey = meta.mergeKey ?? '';
    validateSetElementOrder(patchList ?? [], order, mergeKey);

    let result: MergedList;
    if (current !== null && patchList !== undefined) result = mergeList(field, current, patchList, meta, false, mergeMap);
    else if (current !== null) result = { merged: current, liveOrder: current };
    else if (patchList !== undefined) result = { merged: cleanList(patchList), liveOrder: [] };
    else continue;

    const [inOrder, serverOnly] = partition(result.merged, order, mergeKey);
    const kind = elementKind(current ?? [], patchList ?? []);
    put(original, field, kind === undefined ? result.merged : normalizeElementOrder(inOrder, serverOnly, order, result.liveOrder, mergeKey, kind));
    delete patch[field];
  }
}
