// Three-way patches from apimachinery strategicpatch patch_test.go applied to the live object
// (`current`), with the upstream expected results: $setElementOrder, server-only items, deletions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { FieldPatchMeta, PatchSchema } from './schema.js';
import { strategicMergePatch } from './strategic.js';

const mergeItem: Record<string, FieldPatchMeta> = {};
Object.assign(mergeItem, {
  mergingList: { strategy: 'merge', mergeKey: 'name', schema: mergeItem },
  nonMergingList: { schema: mergeItem },
  mergingIntList: { strategy: 'merge' },
  retainKeysMap: { retainKeys: true, schema: mergeItem },
  retainKeysMergingList: { strategy: 'merge', retainKeys: true, mergeKey: 'name', schema: mergeItem },
} satisfies PatchSchema);

const cases: Array<{ name: string; current: string; patch: string; result: string }> = [
  {
    name: 'nested patch merge with empty list',
    current: 'name: hi\nmergingList: [{name: hello2}]',
    patch: '$setElementOrder/mergingList: [{name: hello}, {name: doesntexist}]\nmergingList: [{name: hello}, {$patch: delete, name: doesntexist}]',
    result: 'name: hi\nmergingList: [{name: hello}, {name: hello2}]',
  },
  {
    name: 'delete items in lists of scalars',
    current: 'mergingIntList: [1, 2, 3, 4]',
    patch: '$setElementOrder/mergingIntList: [1, 2]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [1, 2, 4]',
  },
  {
    name: 'delete all duplicate items in lists of scalars',
    current: 'mergingIntList: [1, 2, 3, 3, 4]',
    patch: '$setElementOrder/mergingIntList: [1, 2]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [1, 2, 4]',
  },
  {
    name: 'add and delete items in lists of scalars (two-way)',
    current: 'mergingIntList: [1, 2, 3]',
    patch: '$setElementOrder/mergingIntList: [1, 2, 4]\n$deleteFromPrimitiveList/mergingIntList: [3]\nmergingIntList: [4]',
    result: 'mergingIntList: [1, 2, 4]',
  },
  {
    name: 'merge lists of maps',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]',
    patch: '$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}]\nmergingList: [{name: 4, value: 4}, {name: 3, value: 3}]',
    result: 'mergingList: [{name: 4, value: 4}, {name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]',
  },
  {
    name: 'add field to map in merging list with conflict',
    current: 'mergingList: [{name: 1, other: a}, {name: 3, value: 2, other: b}]',
    patch: '$setElementOrder/mergingList: [{name: 1}, {name: 2}]\nmergingList: [{name: 1, value: 1}, {name: 2, value: 2}]',
    result: 'mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2}, {name: 3, value: 2, other: b}]',
  },
  {
    name: 'delete map from merging list',
    current: 'mergingList: [{name: 1}, {name: 2, other: b}]',
    patch: '$setElementOrder/mergingList: [{name: 2}]\nmergingList: [{name: 1, $patch: delete}]',
    result: 'mergingList: [{name: 2, other: b}]',
  },
  {
    name: 'delete missing map from merging list with conflict',
    current: 'mergingList: [{name: 3, other: a}]',
    patch: '$setElementOrder/mergingList: [{name: 2}]\nmergingList: [{name: 2}, {name: 1, $patch: delete}]',
    result: 'mergingList: [{name: 2}, {name: 3, other: a}]',
  },
  {
    name: 'add map and delete map from merging list',
    current: 'mergingList: [{name: 1}, {name: 2, other: b}, {name: 4, other: c}]',
    patch: '$setElementOrder/mergingList: [{name: 2}, {name: 3}]\nmergingList: [{name: 3}, {name: 1, $patch: delete}]',
    result: 'mergingList: [{name: 2, other: b}, {name: 4, other: c}, {name: 3}]',
  },
  {
    name: 'add map and delete map from merging list with conflict',
    current: 'mergingList: [{name: 1, other: a}, {name: 4, other: c}]',
    patch: '$setElementOrder/mergingList: [{name: 2}, {name: 3}]\nmergingList: [{name: 2}, {name: 3}, {name: 1, $patch: delete}]',
    result: 'mergingList: [{name: 4, other: c}, {name: 2}, {name: 3}]',
  },
  {
    name: 'delete field from map in merging list',
    current: 'mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2, other: b}]',
    patch: '$setElementOrder/mergingList: [{name: 1}, {name: 2}]\nmergingList: [{name: 1, value: null}]',
    result: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]',
  },
  {
    name: 'replace non merging list nested in merging list',
    current: 'mergingList: [{name: 1, other: a, nonMergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2, other: b}]',
    patch: '$setElementOrder/mergingList: [{name: 1}, {name: 2}]\nmergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}]',
    result: 'mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: 1}]}, {name: 2, other: b}]',
  },
  {
    name: 'add field to map in merging list nested in merging list with deletion conflict',
    current: 'mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}]}, {name: 2, other: b}]',
    patch:
      '$setElementOrder/mergingList: [{name: 1}, {name: 2}]\n' +
      'mergingList: [{$setElementOrder/mergingList: [{name: 2}, {name: 1}], name: 1, mergingList: [{name: 1, value: 1}]}]',
    result: 'mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}, {name: 1, value: 1}]}, {name: 2, other: b}]',
  },
  {
    name: 'add an item in a list of primitives and preserve order',
    current: 'mergingIntList: [1, 4, 2]',
    patch: '$setElementOrder/mergingIntList: [3, 1, 2]\nmergingIntList: [3]',
    result: 'mergingIntList: [3, 1, 4, 2]',
  },
  {
    name: 'delete an item in a list and preserve order',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]',
    patch: '$setElementOrder/mergingList: [{name: 2}, {name: 1}]\nmergingList: [{name: 3, $patch: delete}]',
    result: 'mergingList: [{name: 2, value: 2, other: b}, {name: 1, other: a}]',
  },
  {
    name: 'add and delete an item in a list and preserve order',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]',
    patch: '$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 1}]\nmergingList: [{name: 4, value: 4}, {name: 3, $patch: delete}]',
    result: 'mergingList: [{name: 4, value: 4}, {name: 2, value: 2, other: b}, {name: 1, other: a}]',
  },
  {
    name: 'set elements order in a list with server-only items 2',
    current: 'mergingList: [{name: 1, other: a}, {name: 2, value: 2}, {name: 9}, {name: 3, value: 3}, {name: 4, value: 4}]',
    patch: '$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]',
    result: 'mergingList: [{name: 2, value: 2}, {name: 1, other: a}, {name: 9}, {name: 4, value: 4}, {name: 3, value: 3}]',
  },
  {
    name: 'set elements order in a int list with server-only items 3',
    current: 'mergingIntList: [1, 2, 7, 9, 8, 3, 4]',
    patch: '$setElementOrder/mergingIntList: [2, 1, 4, 3]',
    result: 'mergingIntList: [2, 1, 7, 9, 8, 4, 3]',
  },
  {
    name: 'add and delete an item in a int list and preserve order',
    current: 'mergingIntList: [1, 2, 3]',
    patch: '$setElementOrder/mergingIntList: [4, 2, 1]\nmergingIntList: [4]\n$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [4, 2, 1]',
  },
  {
    name: 'behavior of set element order for a merging list with duplicate',
    current: 'mergingList: [{name: 1}, {name: 2, value: dup1}, {name: 3}, {name: 2, value: dup2}, {name: 4}]',
    patch: '$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}, {name: 2}]',
    result: 'mergingList: [{name: 2, value: dup1}, {name: 2, value: dup2}, {name: 1}, {name: 4}, {name: 3}]',
  },
  {
    name: 'retainKeys map should clear defaulted field with conflict (discriminated union)',
    current: 'retainKeysMap: {name: type1, value: foo}',
    patch: 'retainKeysMap: {$retainKeys: [name, other], name: type2, other: bar}',
    result: 'retainKeysMap: {name: type2, other: bar}',
  },
  {
    name: 'retainKeys map clears a field',
    current: 'retainKeysMap: {name: foo, value: bar, other: a}',
    patch: 'retainKeysMap: {$retainKeys: [name, value]}',
    result: 'retainKeysMap: {name: foo, value: bar}',
  },
  {
    name: 'retainKeys map adds an item in nested merging int list',
    current: 'retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}',
    patch: 'retainKeysMap: {$setElementOrder/mergingIntList: [1, 2, 4], $retainKeys: [mergingIntList, name], mergingIntList: [4]}',
    result: 'retainKeysMap: {name: foo, mergingIntList: [1, 2, 4, 3]}',
  },
  {
    name: 'retainKeys map deletes an item in nested merging int list',
    current: 'retainKeysMap: {name: foo, mergingIntList: [1, 2, 3, 4]}',
    patch:
      'retainKeysMap: {$retainKeys: [mergingIntList, name], $deleteFromPrimitiveList/mergingIntList: [2], $setElementOrder/mergingIntList: [1, 3]}',
    result: 'retainKeysMap: {name: foo, mergingIntList: [1, 3, 4]}',
  },
  {
    name: 'retainKeys map adds an item in nested merging list',
    current: 'retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: x}]}',
    patch: 'retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}, {name: b}, {name: c}], mergingList: [{name: c}]}',
    result: 'retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: c}, {name: x}]}',
  },
  {
    name: 'retainKeys map deletes nested merging list',
    current: 'retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}]}',
    patch: 'retainKeysMap: {$retainKeys: [name, value], value: bar, mergingList: null}',
    result: 'retainKeysMap: {name: foo, value: bar}',
  },
  {
    name: 'retainKeys list of maps clears a field with conflict',
    current: 'retainKeysMergingList: [{name: bar}, {name: foo, value: new, other: x}]',
    patch:
      '$setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]\n' +
      'retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: modified}]',
    result: 'retainKeysMergingList: [{name: bar}, {name: foo, value: modified}]',
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepStrictEqual(strategicMergePatch(parse(c.current), parse(c.patch), mergeItem), parse(c.result));
  });
}
