import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { matchingTolerations, minTolerationMs, noExecuteTaints } from './tolerations.js';

const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
const tol = (key: string, seconds?: number): Toleration => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });

test('only NoExecute taints count', () => {
  assert.deepEqual(noExecuteTaints([{ key: 'a', effect: 'NoSchedule' }, unreachable]), [unreachable]);
});

test('every taint must be tolerated; the first matching toleration is used', () => {
  assert.deepEqual(matchingTolerations([unreachable, notReady], [tol(unreachable.key, 300)]), { all: false, used: [] });
  const t = [tol(unreachable.key, 300), tol(notReady.key, 100)];
  assert.deepEqual(matchingTolerations([unreachable, notReady], t), { all: true, used: t });
  assert.deepEqual(matchingTolerations([], undefined), { all: true, used: [] });
});

test('the shortest tolerationSeconds wins; none means forever, zero or negative means now', () => {
  assert.equal(minTolerationMs([tol('a', 300), tol('b', 100), tol('c')]), 100_000);
  assert.equal(minTolerationMs([tol('a'), tol('b')]), -1);
  assert.equal(minTolerationMs([tol('a', 300), tol('b', -5)]), 0);
  assert.equal(minTolerationMs([]), 0);
});
