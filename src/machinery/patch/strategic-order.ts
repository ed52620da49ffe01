// Element order of merged lists (apimachinery strategicpatch: normalizeElementOrder and friends).
// Precedence: $setElementOrder, then the order in the patch list, then the order in the live list.

import { goTypeName } from './gofmt.js';
import { hasKey, isObject, type Json, type JsonObject } from './json.js';
import { errBadArgType, errElementTypes, errListOfLists, errNoMergeKey, errNotAMap, errOrderMismatch, MAP_TYPE } from './strategic-errors.js';

/** Lists of maps are ordered by their merge key, lists of primitives by value. */
export type ElementKind = 'map' | 'scalar';

/** The common element type of the lists (sliceElementType); undefined when they are all empty. */
export function elementKind(...lists: Json[][]): ElementKind | undefined {
  let type: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      if (type === undefined) {
        if (Array.isArray(v)) throw errListOfLists();
        type = goTypeName(v);
      } else if (goTypeName(v) !== type) {
        throw errElementTypes(lists);
      }
    }
  }
  if (type === undefined) return undefined;
  return type === MAP_TYPE ? 'map' : 'scalar';
}

/** findMapInSliceBasedOnKeyValue: the index of the element whose merge key has this value, or -1. */
export function findByKey(list: Json[], mergeKey: string, value: Json): number {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (!isObject(e)) throw errNotAMap(i);
    if (hasKey(e, mergeKey) && e[mergeKey] === value) return i;
  }
  return -1;
}

function requireKey(v: Json, mergeKey: string): JsonObject {
  if (!isObject(v)) throw errBadArgType(MAP_TYPE, v);
  if (!hasKey(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
  return v;
}

/** Splits `list` into the items present in `by` and the rest, keeping their relative order. */
export function partition(list: Json[], by: Json[], mergeKey: string): [Json[], Json[]] {
  const inBy: Json[] = [];
  const rest: Json[] = [];
  if (mergeKey === '') {
    const present = new Set(by);
    for (const v of list) (present.has(v) ? inBy : rest).push(v);
    return [inBy, rest];
  }
  for (const v of list) {
    const m = requireKey(v, mergeKey);
    (findByKey(by, mergeKey, m[mergeKey]) >= 0 ? inBy : rest).push(v);
  }
  return [inBy, rest];
}

function indexIn(list: Json[], v: Json, mergeKey: string, kind: ElementKind): number {
  if (kind === 'scalar') return list.indexOf(v);
  const key = isObject(v) ? v[mergeKey] : undefined;
  return list.findIndex((e) => (isObject(e) ? e[mergeKey] : undefined) === key);
}

function sortBy(items: Json[], order: Json[], mergeKey: string, kind: ElementKind): Json[] {
  if (kind === 'map') for (const v of [...items, ...order]) requireKey(v, mergeKey);
  return [...items].sort((a, b) => {
    const ia = indexIn(order, a, mergeKey, kind);
    const ib = indexIn(order, b, mergeKey, kind);
    return ia >= 0 && ib >= 0 ? ia - ib : 0;
  });
}

/**
 * Sorts the patch items by `patchOrder` and the server-only items by `serverOrder`, then interleaves
 * them: a server-only item goes before a patch item only when both are in `serverOrder` and it comes
 * first there. So items new to the server land before the server-only items that follow them.
 */
export function normalizeElementOrder(
  patchItems: Json[],
  serverOnly: Json[],
  patchOrder: Json[],
  serverOrder: Json[],
  mergeKey: string,
  kind: ElementKind,
): Json[] {
  const right = sortBy(patchItems, patchOrder, mergeKey, kind);
  const left = sortBy(serverOnly, serverOrder, mergeKey, kind);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      out.push(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
    }
  }
  return out;
}

function sameKey(left: Json, right: Json, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (!isObject(left)) throw errBadArgType(MAP_TYPE, left);
  if (!isObject(right)) throw errBadArgType(MAP_TYPE, right);
  if (!hasKey(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!hasKey(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** The patch list's items (deletions aside) must appear in $setElementOrder, in the same relative order. */
export function validateSetElementOrder(patchList: Json[], order: Json[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items =
    mergeKey === ''
      ? patchList
      : patchList.filter((v) => {
          if (!isObject(v)) throw errBadArgType(MAP_TYPE, v);
          return v.$patch !== 'delete';
        });
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isObject(item) && hasKey(item, '$patch')) {
      p++;
      continue;
    }
    if (sameKey(item, order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) throw errOrderMismatch(patchList, order);
}
