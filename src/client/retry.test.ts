import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../machinery/clock.js';
import { notFound, optimisticLock, type StatusError } from '../machinery/errors.js';
import { DEFAULT_BACKOFF, retryOnConflict, retryOnError } from './retry.js';

const pods = { group: '', resource: 'pods', plural: 'pods' };

/** Drive the virtual clock until `p` settles. */
async function settle<T>(clock: VirtualClock, p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  let done: { value?: T; error?: unknown } | undefined;
  p.then((value) => (done = { value }), (error) => (done = { error }));
  for (;;) {
    await new Promise((r) => setImmediate(r)); // let the retry loop schedule its sleep first
    if (done) return done;
    await clock.advance(1);
  }
}

test('retries conflicts, sleeping DefaultRetry 10ms (+ up to 10% jitter) between attempts', async () => {
  const clock = new VirtualClock();
  const start = clock.now();
  const at: number[] = [];
  const r = await settle(clock, retryOnConflict(clock, async () => {
    at.push(clock.now() - start);
    if (at.length < 3) throw optimisticLock(pods, 'a');
    return 'ok';
  }));
  assert.equal(r.value, 'ok');
  assert.equal(at.length, 3);
  for (let i = 1; i < at.length; i++) {
    const pause = at[i] - at[i - 1];
    assert.ok(pause >= 10 && pause <= 12, `pause ${pause}`);
  }
});

test('gives up after 5 attempts with the last conflict', async () => {
  const clock = new VirtualClock();
  let calls = 0;
  const r = await settle(clock, retryOnConflict(clock, async () => {
    calls++;
    throw optimisticLock(pods, `a${calls}`);
  }));
  assert.equal(calls, 5);
  assert.match((r.error as Error).message, /"a5"/);
});

test('any other error is returned at once', async () => {
  const clock = new VirtualClock();
  let calls = 0;
  const r = await settle(clock, retryOnConflict(clock, async () => {
    calls++;
    throw notFound(pods, 'a');
  }));
  assert.equal(calls, 1);
  assert.equal((r.error as StatusError).reason, 'NotFound');
});

test('DefaultBackoff: 4 attempts, pauses 10ms, 50ms, 250ms without jitter', async () => {
  const clock = new VirtualClock();
  const at: number[] = [];
  const r = await settle(clock, retryOnError(clock, DEFAULT_BACKOFF, () => true, async () => {
    at.push(clock.now());
    throw new Error('x');
  }, () => 0));
  assert.ok(r.error);
  assert.deepEqual(at.slice(1).map((t, i) => t - at[i]), [10, 50, 250]);
});
