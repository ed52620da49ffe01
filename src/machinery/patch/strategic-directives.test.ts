// Malformed directives fail with the apiserver's status and upstream's message text; directives
// and nulls never reach the result; inputs are never changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import type { PatchSchema } from './schema.js';
import { strategicMergePatch } from './strategic.js';

const schema: PatchSchema = {
  items: { strategy: 'merge', mergeKey: 'name', schema: { ports: { strategy: 'merge', mergeKey: 'port' } } },
  tags: { strategy: 'merge' },
};
const original = { items: [{ name: 'a', v: 1 }], tags: ['x'], spec: { replicas: 1 } };

function rejects(patch: unknown, code: number, message: string) {
  assert.throws(
    () => strategicMergePatch(original, patch, schema),
    (e: unknown) => e instanceof StatusError && e.code === code && e.message === message,
  );
}

test('an unknown $patch on a map is a BadRequest with upstream text', () => {
  rejects({ spec: { $patch: 'foo', replicas: 2 } }, 400, 'unknown patch type: foo in map: map[$patch:foo replicas:2]');
});

test('$patch: merge is not accepted on a map (upstream handleDirectiveInMergeMap)', () => {
  rejects({ spec: { $patch: 'merge' } }, 400, 'unknown patch type: merge in map: map[$patch:merge]');
});

test('an unknown $patch in a list element names the element', () => {
  rejects({ items: [{ $patch: 'foo', name: 'a' }] }, 400, 'unknown patch type: foo in map: map[$patch:foo name:a]');
});

test('$patch: merge in a list is refused', () => {
  rejects({ items: [{ $patch: 'merge' }] }, 400, 'merging lists cannot yet be specified in the patch');
});

test('merge-list elements need their merge key, deletions included', () => {
  rejects({ items: [{ v: 2 }] }, 400, 'map: map[v:2] does not contain declared merge key: name');
  rejects({ items: [{ $patch: 'delete' }] }, 400, 'map: map[$patch:delete] does not contain declared merge key: name');
});

test('$retainKeys must be a list naming every field the patch sets', () => {
  rejects({ spec: { $retainKeys: 'replicas' } }, 400, 'invalid patch format of retainKeys');
  rejects({ spec: { $retainKeys: ['replicas'], paused: true } }, 400, 'invalid patch format of retainKeys');
});

test('malformed parallel-list keys', () => {
  rejects({ '$deleteFromPrimitiveList': ['x'] }, 400, 'invalid patch format of primitive list');
  rejects({ '$setElementOrderX/items': [] }, 400, 'invalid patch format of setElementOrder list');
  rejects({ '$setElementOrder/items': 'a' }, 400, 'expected a []interface {}, but received a string');
});

test('$setElementOrder entries of a merge list must be maps with the merge key', () => {
  rejects({ '$setElementOrder/items': ['a'], items: [{ name: 'a' }] }, 400, 'expected a map[string]interface {}, but received a string');
});

test('list element types must agree, and lists of lists get the generic 422', () => {
  rejects({ tags: [1] }, 400, 'list element types are not identical: [[x] [1]]');
  assert.throws(
    () => strategicMergePatch({ tags: [] }, { tags: [['y']] }, schema),
    (e: unknown) =>
      e instanceof StatusError &&
      e.code === 422 &&
      e.reason === 'Invalid' &&
      e.details?.causes?.[0]?.message === 'lists of lists are not supported',
  );
});

test('the patch must be a JSON object; null means no change', () => {
  rejects([{ op: 'add' }], 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  assert.deepStrictEqual(strategicMergePatch(original, null, schema), original);
});

test('directives and nulls in content taken whole from the patch are dropped', () => {
  const result = strategicMergePatch(
    {},
    {
      spec: {
        $retainKeys: ['a', 'b'],
        a: { x: null, y: 1, gone: { $patch: 'delete' } },
        '$setElementOrder/items': [{ name: 'n' }],
        '$deleteFromPrimitiveList/tags': ['t'],
        items: [{ name: 'n', $retainKeys: ['name'] }, { name: 'm', $patch: 'delete' }],
        b: null,
      },
    },
    schema,
  );
  assert.deepStrictEqual(result, { spec: { a: { y: 1 }, items: [{ name: 'n' }] } });
});

test('new elements appended to a merge list lose their directives too', () => {
  const result = strategicMergePatch(original, { items: [{ name: 'b', '$setElementOrder/ports': [{ port: 1 }], ports: [{ port: 1, x: null }] }] }, schema);
  assert.deepStrictEqual(result, { items: [{ name: 'b', ports: [{ port: 1 }] }, { name: 'a', v: 1 }], tags: ['x'], spec: { replicas: 1 } });
});

test('$patch: replace on a map keeps the rest of the patch, cleaned', () => {
  const result = strategicMergePatch({ spec: { a: 1, b: { c: 2 } } }, { spec: { $patch: 'replace', b: { d: 3, e: null } } }, schema);
  assert.deepStrictEqual(result, { spec: { b: { d: 3 } } });
});

test('a list element { $patch: replace } makes the other elements the whole list', () => {
  const result = strategicMergePatch(original, { items: [{ name: 'z', ports: [{ port: 2 }] }, { $patch: 'replace' }] }, schema);
  assert.deepStrictEqual(result, { items: [{ name: 'z', ports: [{ port: 2 }] }], tags: ['x'], spec: { replicas: 1 } });
});

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const e of Object.values(v)) deepFreeze(e);
    Object.freeze(v);
  }
  return v;
}

test('inputs are not changed and the result shares nothing with them', () => {
  const o = deepFreeze(structuredClone({ ...original, tags: ['x', 'y'] }));
  const p = deepFreeze({
    $retainKeys: ['items', 'tags', 'spec'],
    '$setElementOrder/items': [{ name: 'a' }, { name: 'b' }],
    items: [{ name: 'a', v: null }, { name: 'b' }],
    '$deleteFromPrimitiveList/tags': ['y'],
    spec: { replicas: 3 },
  });
  const result = strategicMergePatch(o, p, schema) as typeof original;
  assert.deepStrictEqual(result, { items: [{ name: 'a' }, { name: 'b' }], tags: ['x'], spec: { replicas: 3 } });
  result.spec.replicas = 9;
  assert.equal(o.spec.replicas, 1);
});

test('keys such as __proto__ and constructor are plain data', () => {
  const patch = JSON.parse('{"labels":{"__proto__":{"polluted":true},"constructor":"c"},"spec":{"constructor":{"x":1}}}');
  const result = strategicMergePatch({ spec: { replicas: 1 } }, patch, schema) as Record<string, Record<string, unknown>>;
  assert.deepStrictEqual(Object.keys(result.labels), ['__proto__', 'constructor']);
  assert.equal(Object.getPrototypeOf(result.labels), Object.prototype);
  assert.deepStrictEqual(result.spec.constructor, { x: 1 });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
