import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../machinery/clock.js';
import { Backoff, Expectations } from './expectations.js';

test('expectations: satisfied once every creation and each named deletion is seen, or after 5 minutes', async () => {
  const clock = new VirtualClock();
  const e = new Expectations(clock);
  assert.equal(e.satisfied('ns/ds'), true, 'nothing expected yet');
  e.expect('ns/ds', 2, ['ns/p1']);
  e.creationObserved('ns/ds');
  e.deletionObserved('ns/ds', 'ns/p1');
  e.deletionObserved('ns/ds', 'ns/p1'); // the graceful-deletion update and the final delete both report it
  assert.equal(e.satisfied('ns/ds'), false);
  e.creationObserved('ns/ds');
  assert.equal(e.satisfied('ns/ds'), true);
  e.expect('ns/ds', 1, []);
  await clock.advance(5 * 60_000 + 1);
  assert.equal(e.satisfied('ns/ds'), true, 'a lost event does not wedge the set');
});

test('failed-pod back-off: 1s doubling up to 15m, measured from the last attempt', async () => {
  const clock = new VirtualClock();
  const b = new Backoff(clock);
  assert.equal(b.inBackoffSinceUpdate('k'), false);
  b.next('k');
  assert.equal(b.get('k'), 1000);
  assert.equal(b.inBackoffSinceUpdate('k'), true);
  await clock.advance(1000);
  assert.equal(b.inBackoffSinceUpdate('k'), false);
  b.next('k');
  assert.equal(b.get('k'), 2000);
  for (let i = 0; i < 20; i++) b.next('k');
  assert.equal(b.get('k'), 15 * 60_000);
  await clock.advance(30 * 60_000 + 1);
  b.gc();
  assert.equal(b.get('k'), 0);
});
