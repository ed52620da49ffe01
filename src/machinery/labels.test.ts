import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from './errors.js';
import { fromLabelSelector, matches, parseSelector, selectorString } from './labels.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'fe', env: 'prod' };

  it('parses and matches every operator of the string grammar', () => {
    const cases: Array<[string, boolean]> = [
      ['app=web', true],
      ['app==web', true],
      ['app!=web', false],
      ['app!=db', true],
      ['missing!=x', true],
      ['tier in (fe,be)', true],
      ['tier in (be)', false],
      ['env notin (dev, test)', true],
      ['env notin (prod)', false],
      ['app', true],
      ['missing', false],
      ['!missing', true],
      ['!app', false],
      ['app=web,tier=fe', true],
      ['app=web, tier=be', false],
      ['', true],
    ];
    for (const [sel, want] of cases) assert.equal(matches(parseSelector(sel), labels), want, sel);
  });

  it('rejects bad syntax with BadRequest', () => {
    for (const bad of ['app=web,', 'tier in fe', 'tier in (fe', 'a b', '=x']) {
      assert.throws(() => parseSelector(bad), (e: unknown) => e instanceof StatusError && e.code === 400, bad);
    }
  });

  it('converts metav1.LabelSelector and renders the string kubectl and Scale use', () => {
    const sel = fromLabelSelector({ matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }, { key: 'x', operator: 'DoesNotExist' }] });
    assert.equal(selectorString(sel), 'app=nginx,tier in (a,b),!x');
    assert.equal(matches(sel, { app: 'nginx', tier: 'a' }), true);
    assert.equal(matches(sel, { app: 'nginx', tier: 'a', x: '1' }), false);
    assert.equal(matches(fromLabelSelector({}), { any: 'thing' }), true, 'an empty selector matches everything');
  });
});
