// Cases ported from apimachinery pkg/util/strategicpatch/patch_test.go. Each applies the upstream
// two-way patch to `original` (expecting `modified`) or the three-way patch to `current`
// (expecting `result`), with the test type MergeItem's struct tags as schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { FieldPatchMeta, PatchSchema } from './schema.js';
import { strategicMergePatch } from './strategic.js';

const mergeItem: Record<string, FieldPatchMeta> = {};
const retainKeysMergeItem: PatchSchema = {
  mergingIntList: { strategy: 'merge' },
  mergingList: { strategy: 'merge', mergeKey: 'name', schema: mergeItem },
  nonMergingList: { schema: mergeItem },
};
Object.assign(mergeItem, {
  mergingList: { strategy: 'merge', mergeKey: 'name', schema: mergeItem },
  nonMergingList: { schema: mergeItem },
  mergingIntList: { strategy: 'merge' },
  mergeItemPtr: { strategy: 'merge', mergeKey: 'name', schema: mergeItem },
  replacingItem: { strategy: 'replace' },
  retainKeysMap: { retainKeys: true, schema: retainKeysMergeItem },
  retainKeysMergingList: { strategy: 'merge', retainKeys: true, mergeKey: 'name', schema: mergeItem },
} satisfies PatchSchema);

interface Case {
  name: string;
  original: string;
  patch: string;
  result?: string;
  error?: string;
}

function run(cases: Case[]) {
  for (const c of cases) {
    test(c.name, () => {
      const apply = () => strategicMergePatch(parse(c.original) ?? {}, parse(c.patch) ?? {}, mergeItem);
      if (c.error !== undefined) assert.throws(apply, (e: Error) => e.message.includes(c.error!));
      else assert.deepStrictEqual(apply(), parse(c.result!) ?? {});
    });
  }
}

run([
  { name: 'add field to map', original: 'name: 1\nother: a', patch: 'value: 1', result: 'name: 1\nvalue: 1\nother: a' },
  { name: 'add field and delete field from map', original: 'name: 1\nother: a', patch: 'name: null\nvalue: 1', result: 'value: 1\nother: a' },
  { name: 'nil patch', original: 'name: 1', patch: '{}', result: 'name: 1' },
  {
    name: 'delete field from nested map',
    original: 'simpleMap: {key1: 1, key2: 1, other: a}',
    patch: 'simpleMap: {key2: null}',
    result: 'simpleMap: {key1: 1, other: a}',
  },
  {
    name: 'defined null values should propagate removing original fields',
    original: 'name: original-name\nvalue: original-value\nother: current-other',
    patch: 'name: modified-name\nvalue: null',
    result: 'name: modified-name\nother: current-other',
  },
  { name: 'replace list of scalars', original: 'nonMergingIntList: [1, 2]', patch: 'nonMergingIntList: [2, 3]', result: 'nonMergingIntList: [2, 3]' },
  { name: 'unique scalars when merging lists', original: 'mergingIntList: [1, 2]', patch: 'mergingIntList: [2, 3]', result: 'mergingIntList: [1, 2, 3]' },
  { name: 'delete map from nested map', original: 'simpleMap: {key1: 1, key2: 1}', patch: 'simpleMap: {$patch: delete}', result: 'simpleMap: {}' },
  { name: 'delete all items from merging list', original: 'mergingList: [{name: 1}, {name: 2}]', patch: 'mergingList: [{$patch: replace}]', result: 'mergingList: []' },
  { name: 'merge empty merging lists', original: 'mergingList: []', patch: 'mergingList: []', result: 'mergingList: []' },
  { name: 'delete all keys from map', original: 'name: 1\nvalue: 1', patch: '$patch: replace', result: '{}' },
  { name: 'add key and delete all keys from map', original: 'name: 1\nvalue: 1', patch: 'other: a\n$patch: replace', result: 'other: a' },
  {
    name: 'delete all duplicate entries in a merging list',
    original: 'mergingList: [{name: 1}, {name: 1}, {name: 2, value: a}, {name: 3}, {name: 3}]',
    patch: 'mergingList: [{name: 1, $patch: delete}, {name: 3, $patch: delete}]',
    result: 'mergingList: [{name: 2, value: a}]',
  },
  {
    name: 'delete all maps from merging list with conflict',
    original: 'mergingList: [{name: 1, other: a}, {name: 2, other: b}]',
    patch: 'mergingList: [{name: 1, $patch: delete}, {name: 2, $patch: delete}]',
    result: 'mergingList: []',
  },
  {
    name: 'preserve the order from the patch in a merging list',
    original: 'mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]',
    patch: 'mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, other: x}]',
    result: 'mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, value: b, other: x}]',
  },
  {
    name: 'preserve the order from the patch in a merging list 2',
    original: 'mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]',
    patch: 'mergingList: [{name: 3, value: c}, {name: 1, value: a}]',
    result: 'mergingList: [{name: 2, value: b}, {name: 3, value: c}, {name: 1, value: a}]',
  },
  { name: 'preserve the order from the patch in a merging int list', original: 'mergingIntList: [1, 2, 3]', patch: 'mergingIntList: [3, 1, 2]', result: 'mergingIntList: [3, 1, 2]' },
  { name: 'preserve the order from the patch in a merging int list 2', original: 'mergingIntList: [1, 2, 3]', patch: 'mergingIntList: [3, 1]', result: 'mergingIntList: [2, 3, 1]' },
  {
    name: '$setElementOrder contains item that is not present in the list to be merged',
    original: 'mergingList: [{name: 1}, {name: 3}]',
    patch: '$setElementOrder/mergingList: [{name: 3}, {name: 2}, {name: 1}]\nmergingList: [{name: 3, value: 3}, {name: 1, value: 1}]',
    result: 'mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]',
  },
  {
    name: '$setElementOrder contains item that is not present in the int list to be merged',
    original: 'mergingIntList: [1, 3]',
    patch: '$setElementOrder/mergingIntList: [3, 2, 1]',
    result: 'mergingIntList: [3, 1]',
  },
  {
    name: 'should check if order in $setElementOrder and patch list match',
    original: 'mergingList: [{name: 1}, {name: 3}, {name: 2}]',
    patch: '$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}]\nmergingList: [{name: 3, value: 3}, {name: 1, value: 1}]',
    error: "doesn't match",
  },
  {
    name: 'should check if order in $setElementOrder and patch int list match',
    original: 'mergingIntList: [1, 3, 2]',
    patch: '$setElementOrder/mergingIntList: [1, 2, 3]\nmergingIntList: [3, 1]',
    error: "doesn't match",
  },
  { name: 'missing merge key should error out', original: 'mergingList: [{name: 1, value: a}]', patch: 'mergingList: [{value: b}]', error: 'does not contain declared merge key' },
  {
    name: '$deleteFromPrimitiveList of nonexistent item in primitive list should not add the item to the list',
    original: 'mergingIntList: [1, 2]',
    patch: '$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList: [1, 2]',
  },
  {
    name: '$deleteFromPrimitiveList on empty primitive list should not add the item to the list',
    original: 'mergingIntList:',
    patch: '$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'mergingIntList:',
  },
  {
    name: '$deleteFromPrimitiveList on nonexistent primitive list should not add the primitive list',
    original: 'foo: [bar]',
    patch: '$deleteFromPrimitiveList/mergingIntList: [3]',
    result: 'foo: [bar]',
  },
  {
    name: '$deleteFromPrimitiveList should delete item from a list with merge patch strategy',
    original: 'mergingIntList: [1, 2, 3]',
    patch: '$deleteFromPrimitiveList/mergingIntList: [2]',
    result: 'mergingIntList: [1, 3]',
  },
  {
    name: '$deleteFromPrimitiveList should delete item from a list without merge patch strategy',
    original: 'nonMergingIntList: [1, 2, 3]',
    patch: '$deleteFromPrimitiveList/nonMergingIntList: [2]',
    result: 'nonMergingIntList: [1, 3]',
  },
  {
    name: 'replacing strategy replaces a map whole',
    original: 'replacingItem: {a: 1, b: {c: 2}}',
    patch: 'replacingItem: {b: {d: 3}}',
    result: 'replacingItem: {b: {d: 3}}',
  },
]);
