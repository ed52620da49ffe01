import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goSprint, goString, goTypeName } from './gofmt.js';

test('%v of decoded JSON prints as Go does', () => {
  assert.equal(goSprint({ name: 'a', $patch: 'delete', n: 80, ok: true, z: null }), 'map[$patch:delete n:80 name:a ok:true z:<nil>]');
  assert.equal(goSprint([{ b: [1, 'x'] }, 'y']), '[map[b:[1 x]] y]');
  assert.equal(goSprint(0.5), '0.5');
  assert.equal(goSprint(1500000), '1500000');
  assert.equal(goSprint(1500000.5), '1.5000005e+06');
  assert.equal(goSprint(2.5e-5), '2.5e-05');
});

test('%s and reflect type names', () => {
  assert.equal(goString('replace'), 'replace');
  assert.equal(goString(1), '%!s(int64=1)');
  assert.equal(goString(true), '%!s(bool=true)');
  assert.equal(goString(null), '%!s(<nil>)');
  assert.deepStrictEqual(['x', 1, 1.5, false, [], {}, null].map(goTypeName), ['string', 'int64', 'float64', 'bool', '[]interface {}', 'map[string]interface {}', '%!s(<nil>)']);
});
