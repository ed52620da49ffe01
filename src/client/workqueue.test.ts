import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock, type Timer } from '../machinery/clock.js';
import { setOutput } from '../machinery/log.js';
import { runWorkers, WorkQueue } from './workqueue.js';

/** A VirtualClock that counts the timers it was asked for. */
class CountingClock extends VirtualClock {
  timers = 0;
  override setTimeout(fn: () => void, ms: number): Timer {
    this.timers++;
    return super.setTimeout(fn, ms);
  }
}

async function ready(q: WorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.length > 0) out.push((await q.get())!);
  return out;
}

test('a key is de-duplicated while queued and held back while processing', async () => {
  const q = new WorkQueue(new VirtualClock());
  q.add('a');
  q.add('a');
  q.add('b');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'a');
  q.add('a'); // dirty while processing: not handed out until done
  assert.deepEqual(await ready(q), ['b']);
  q.done('a');
  assert.deepEqual(await ready(q), ['a']);
});

test('many addAfter share one timer, re-armed once per distinct ready time', async () => {
  const clock = new CountingClock();
  const q = new WorkQueue(clock);
  for (let i = 0; i < 50; i++) q.addAfter(`k${i}`, 1000 + 10 * Math.floor(i / 5));
  assert.equal(clock.timers, 1);
  await clock.advance(999);
  assert.equal(q.length, 0);
  await clock.advance(1);
  assert.deepEqual((await ready(q)).sort(), ['k0', 'k1', 'k2', 'k3', 'k4']);
  await clock.advance(90);
  assert.equal(q.length, 45);
  assert.equal(clock.timers, 10);
});

test('addAfter of a waiting key keeps the earliest time', async () => {
  const clock = new VirtualClock();
  const q = new WorkQueue(clock);
  q.addAfter('a', 500);
  q.addAfter('a', 100);
  q.addAfter('a', 900);
  await clock.advance(100);
  assert.deepEqual(await ready(q), ['a']);
  q.done('a');
  await clock.advance(1000);
  assert.equal(q.length, 0);
});

test('addRateLimited backs off 5ms, 10ms, 20ms until forget', async () => {
  const clock = new VirtualClock();
  const q = new WorkQueue(clock);
  for (const delay of [5, 10, 20]) {
    q.addRateLimited('a');
    await clock.advance(delay - 1);
    assert.equal(q.length, 0);
    await clock.advance(1);
    assert.equal(await q.get(), 'a');
    q.done('a');
  }
  assert.equal(q.numRequeues('a'), 3);
  q.forget('a');
  q.addRateLimited('a');
  await clock.advance(5);
  assert.equal(q.length, 1);
});

test('runWorkers logs a failed sync with its key at error level and requeues it rate-limited', async () => {
  const lines: string[] = [];
  const clock = new VirtualClock(Date.parse('2026-12-03T06:12:18Z'));
  const restore = setOutput((l) => lines.push(l), clock);
  try {
    const q = new WorkQueue(clock, { name: 'test-controller' });
    let calls = 0;
    runWorkers(q, 1, async () => {
      if (++calls === 1) throw new Error('conflict');
    });
    q.add('ns/a');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(calls, 1);
    assert.deepEqual(lines, ['E1203 06:12:18.000000 test-controller] Error syncing, requeuing key="ns/a" err="conflict"\n']);
    await clock.advance(5);
    await new Promise((r) => setImmediate(r));
    assert.equal(calls, 2);
    q.shutdown();
  } finally {
    restore();
  }
});
