import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatch } from './merge.js';

// RFC 7386 Appendix A, every row.
const rfcExamples: Array<[string, string, string]> = [
  ['{"a":"b"}', '{"a":"c"}', '{"a":"c"}'],
  ['{"a":"b"}', '{"b":"c"}', '{"a":"b","b":"c"}'],
  ['{"a":"b"}', '{"a":null}', '{}'],
  ['{"a":"b","b":"c"}', '{"a":null}', '{"b":"c"}'],
  ['{"a":["b"]}', '{"a":"c"}', '{"a":"c"}'],
  ['{"a":"c"}', '{"a":["b"]}', '{"a":["b"]}'],
  ['{"a":{"b":"c"}}', '{"a":{"b":"d","c":null}}', '{"a":{"b":"d"}}'],
  ['{"a":[{"b":"c"}]}', '{"a":[1]}', '{"a":[1]}'],
  ['["a","b"]', '["c","d"]', '["c","d"]'],
  ['{"a":"b"}', '["c"]', '["c"]'],
  ['{"a":"foo"}', 'null', 'null'],
  ['{"a":"foo"}', '"bar"', '"bar"'],
  ['{"e":null}', '{"a":1}', '{"e":null,"a":1}'],
  ['[1,2]', '{"a":"b","c":null}', '{"a":"b"}'],
  ['{}', '{"a":{"bb":{"ccc":null}}}', '{"a":{"bb":{}}}'],
];

for (const [target, patch, result] of rfcExamples) {
  test(`RFC 7386: ${target} + ${patch}`, () => {
    assert.deepStrictEqual(mergePatch(JSON.parse(target), JSON.parse(patch)), JSON.parse(result));
  });
}

test('RFC 7386 section 3 example', () => {
  const target = { title: 'Goodbye!', author: { givenName: 'John', familyName: 'Doe' }, tags: ['example', 'sample'], content: 'This will be unchanged' };
  const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
  assert.deepStrictEqual(mergePatch(target, patch), {
    title: 'Hello!',
    author: { givenName: 'John' },
    tags: ['example'],
    content: 'This will be unchanged',
    phoneNumber: '+01-123-456-7890',
  });
});

test('nulls inside arrays are values, not deletions', () => {
  assert.deepStrictEqual(mergePatch({}, { a: [null, { b: null }] }), { a: [null, { b: null }] });
});

test('kubectl label and scale patches', () => {
  const sts = { metadata: { name: 'web', labels: { app: 'web', tier: 'be' } }, spec: { replicas: 3 } };
  assert.deepStrictEqual(mergePatch(sts, { metadata: { labels: { tier: 'fe' } } }), { metadata: { name: 'web', labels: { app: 'web', tier: 'fe' } }, spec: { replicas: 3 } });
  assert.deepStrictEqual(mergePatch(sts, { spec: { replicas: 5 } }), { metadata: { name: 'web', labels: { app: 'web', tier: 'be' } }, spec: { replicas: 5 } });
});

test('inputs are not changed and the result shares nothing with them', () => {
  const target = Object.freeze({ metadata: Object.freeze({ name: 'a', labels: Object.freeze({ x: '1' }) }), spec: Object.freeze({ replicas: 1 }) });
  const patch = Object.freeze({ metadata: Object.freeze({ labels: Object.freeze({ x: null, y: '2' }) }) });
  const result = mergePatch(target, patch) as { metadata: { labels: object }; spec: { replicas: number } };
  assert.deepStrictEqual(result, { metadata: { name: 'a', labels: { y: '2' } }, spec: { replicas: 1 } });
  result.spec.replicas = 7;
  assert.equal(target.spec.replicas, 1);
});

test('a __proto__ key is stored as data', () => {
  const result = mergePatch({}, JSON.parse('{"labels":{"__proto__":{"polluted":true}}}')) as { labels: object };
  assert.deepStrictEqual(Object.keys(result.labels), ['__proto__']);
  assert.equal(Object.getPrototypeOf(result.labels), Object.prototype);
});
