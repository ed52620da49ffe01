import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { getRemainingTime, newBackoffRecord } from './backoff_utils.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const finishedAt = (ms: number, phase: 'Succeeded' | 'Failed'): Pod => ({
  metadata: { creationTimestamp: '2026-01-01T00:00:00Z' },
  status: { phase, containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt: new Date(ms).toISOString() } } }] },
});

test('the back-off doubles from 10 s per failure since the last success and stops at 6 minutes', () => {
  const rec = (n: number) => ({ failuresAfterLastSuccess: n, lastFailureTime: T0 });
  assert.equal(getRemainingTime(rec(0), T0), 0);
  assert.equal(getRemainingTime(rec(1), T0), 10_000);
  assert.equal(getRemainingTime(rec(2), T0 + 5_000), 15_000);
  assert.equal(getRemainingTime(rec(3), T0), 40_000);
  assert.equal(getRemainingTime(rec(7), T0), 360_000);
  assert.equal(getRemainingTime(rec(20), T0 + 400_000), 0);
});

test('newBackoffRecord counts failures and the latest failure time; a later success resets it', () => {
  let r = newBackoffRecord(undefined, [], [finishedAt(T0 + 2000, 'Failed'), finishedAt(T0 + 1000, 'Failed')]);
  assert.deepEqual(r, { failuresAfterLastSuccess: 2, lastFailureTime: T0 + 2000 });
  r = newBackoffRecord(r, [], [finishedAt(T0 + 5000, 'Failed')]);
  assert.deepEqual(r, { failuresAfterLastSuccess: 3, lastFailureTime: T0 + 5000 });
  assert.deepEqual(newBackoffRecord(r, [finishedAt(T0 + 6000, 'Succeeded')], []), { failuresAfterLastSuccess: 0 });
  // Only failures after the latest success count.
  assert.deepEqual(newBackoffRecord(r, [finishedAt(T0 + 6000, 'Succeeded')], [finishedAt(T0 + 5500, 'Failed'), finishedAt(T0 + 7000, 'Failed')]), {
    failuresAfterLastSuccess: 1,
    lastFailureTime: T0 + 7000,
  });
});
