import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../machinery/clock.js';
import { BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialFailureRateLimiter } from './ratelimiter.js';

test('item exponential back-off 5ms, 10ms, 20ms ... capped, per key, reset by forget', () => {
  const l = new ItemExponentialFailureRateLimiter(5, 1000_000);
  assert.deepEqual([1, 2, 3, 4, 5].map(() => l.when('a')), [5, 10, 20, 40, 80]);
  assert.equal(l.when('b'), 5);
  assert.equal(l.numRequeues('a'), 5);
  for (let i = 0; i < 30; i++) l.when('a');
  assert.equal(l.when('a'), 1000_000);
  l.forget('a');
  assert.equal(l.numRequeues('a'), 0);
  assert.equal(l.when('a'), 5);
});

test('bucket: the burst is free, then one token per 1/qps', async () => {
  const clock = new VirtualClock();
  const l = new BucketRateLimiter(clock, 10, 100);
  for (let i = 0; i < 100; i++) assert.equal(l.when(), 0);
  assert.equal(l.when(), 100);
  assert.equal(l.when(), 200);
  await clock.advance(1000); // 10 tokens back, 2 were owed
  for (let i = 0; i < 8; i++) assert.equal(l.when(), 0);
  assert.equal(l.when(), 100);
});

test('default controller limiter: the larger of item back-off and the bucket', () => {
  const clock = new VirtualClock();
  const l = defaultControllerRateLimiter(clock);
  assert.equal(l.when('a'), 5);
  assert.equal(l.when('a'), 10);
  for (let i = 0; i < 98; i++) l.when(`k${i}`);
  assert.equal(l.when('fresh'), 100); // bucket empty after 100 failures
  l.forget('a');
  assert.equal(l.numRequeues('a'), 0);
});
