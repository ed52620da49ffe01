// Merging one list that has the `merge` patch strategy (apimachinery strategicpatch mergeSlice).

import { hasKey, isObject, type Json, type JsonObject } from './json.js';
import type { FieldPatchMeta, PatchSchema } from './schema.js';
import { clean } from './strategic-clean.js';
import { errBadPatchType, errMergeDirectiveInList, errNoMergeKey, errNoMergeKeyDeclared } from './strategic-errors.js';
import { elementKind, findByKey, normalizeElementOrder, partition } from './strategic-order.js';

export type MergeMap = (original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined) => JsonObject;

export interface MergedList {
  merged: Json[];
  /**
   * What the live list looks like to a following $setElementOrder. Upstream deletes and appends in
   * the live slice's own array, so that order is the survivors followed by the appended items,
   * cut to the live list's length; the upstream tests' expected orders depend on it.
   */
  liveOrder: Json[];
}

export function mergeList(
  field: string,
  current: Json[],
  patch: Json[],
  meta: FieldPatchMeta,
  deleteList: boolean,
  mergeMap: MergeMap,
): MergedList {
  const kind = elementKind(current, patch);
  if (kind === undefined) return { merged: current, liveOrder: current };

  if (kind === 'scalar') {
    if (deleteList) {
      const gone = new Set(patch);
      return { merged: current.filter((v) => !gone.has(v)), liveOrder: current };
    }
    const merged = [...new Set([...current, ...patch])];
    const [inPatch, serverOnly] = partition(merged, patch, '');
    return { merged: normalizeElementOrder(inPatch, serverOnly, patch, current, '', kind), liveOrder: current };
  }

  const mergeKey = meta.mergeKey;
  if (!mergeKey) throw errNoMergeKeyDeclared(field);
  const { survivors, rest, replace } = applySpecialElements(current, patch as JsonObject[], mergeKey);

  // `$patch: replace` makes the other patch elements the whole list.
  const list: Json[] = replace ? rest.map((e) => clean(e) as JsonObject) : [...survivors];
  const patchItems: JsonObject[] = replace ? [] : rest;
  const appended: Json[] = [];
  for (const item of patchItems) {
    if (!hasKey(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    const i = findByKey(list, mergeKey, item[mergeKey]);
    if (i >= 0) {
      list[i] = mergeMap(list[i] as JsonObject, item, meta.schema);
    } else {
      const added = clean(item) as JsonObject;
      list.push(added);
      appended.push(added);
    }
  }
  const serverOrder = replace ? list : survivors;
  const [inPatch, serverOnly] = partition(list, patchItems, mergeKey);
  return {
    merged: normalizeElementOrder(inPatch, serverOnly, patchItems, serverOrder, mergeKey, kind),
    liveOrder: [...survivors, ...appended].slice(0, current.length),
  };
}

/** Handles `{"$patch": "delete", <key>: v}` and `{"$patch": "replace"}` elements (mergeSliceWithSpecialElements). */
function applySpecialElements(current: Json[], patch: JsonObject[], mergeKey: string) {
  let survivors = current;
  const rest: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!hasKey(item, '$patch')) {
      rest.push(item);
      continue;
    }
    switch (item.$patch) {
      case 'delete': {
        if (!hasKey(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
        const value = item[mergeKey];
        survivors = survivors.filter((e) => !(isObject(e) && hasKey(e, mergeKey) && e[mergeKey] === value));
        break;
      }
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw errMergeDirectiveInList();
      default:
        throw errBadPatchType(item.$patch, item);
    }
  }
  return { survivors, rest, replace };
}
