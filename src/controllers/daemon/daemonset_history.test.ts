import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { computeHash, getPatch, matchRevision } from './daemonset_history.js';
import { daemonSet } from './daemon_test_harness.js';

test('a revision stores a patch replacing spec.template, and matches only that template', () => {
  const ds = daemonSet();
  const patch = getPatch(ds);
  assert.deepEqual(patch, { spec: { template: { ...ds.spec!.template, $patch: 'replace' } } });
  const rev: ControllerRevision = { revision: 1, data: patch };
  assert.equal(matchRevision(ds, rev), true);
  const changed = daemonSet();
  changed.spec!.template.spec!.containers[0].image = 'fluentd:v2';
  assert.equal(matchRevision(changed, rev), false);
});

test('the hash depends on the template and the collision count only', () => {
  const a = daemonSet();
  const b = daemonSet();
  b.spec!.updateStrategy = { type: 'OnDelete' };
  assert.equal(computeHash(a.spec!.template, undefined), computeHash(b.spec!.template, undefined));
  assert.notEqual(computeHash(a.spec!.template, undefined), computeHash(a.spec!.template, 1));
  assert.match(computeHash(a.spec!.template, undefined), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
});
