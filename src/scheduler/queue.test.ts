import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../client/objects.js';
import { VirtualClock } from '../machinery/clock.js';
import type { ClusterEvent } from './framework.js';
import { DEFAULT_QUEUE_OPTIONS, SchedulingQueue, type QueuedPodInfo } from './queue.js';

const pluginEvents = new Map<string, ReadonlySet<ClusterEvent>>([
  ['NodeUnschedulable', new Set<ClusterEvent>(['NodeAdd', 'NodeTaint'])],
  ['NodeResourcesFit', new Set<ClusterEvent>(['NodeAdd', 'NodeAllocatable', 'AssignedPodDelete'])],
]);

// Upstream's back-off (1 s doubling to 10 s), so the timings below read as upstream's.
const UPSTREAM = { ...DEFAULT_QUEUE_OPTIONS, initialBackoffMs: 1000 };

const pod = (name: string, priority?: number) => ({ metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { priority } }) as Stored<Pod>;

/** A single consumer that keeps one pop() outstanding, as the scheduler does; take() returns what it got so far. */
function consumer(q: SchedulingQueue) {
  let got: QueuedPodInfo | undefined;
  const next = () => void q.pop().then((v) => (got = v));
  next();
  return {
    async take(): Promise<QueuedPodInfo | undefined> {
      await new Promise((r) => setImmediate(r));
      const v = got;
      if (v) {
        got = undefined;
        next();
      }
      return v;
    },
  };
}

describe('SchedulingQueue', () => {
  it('pops higher priority first, then the oldest', async () => {
    const clock = new VirtualClock();
    const q = new SchedulingQueue(clock, pluginEvents, UPSTREAM);
    q.add(pod('a'));
    await clock.advance(1);
    q.add(pod('b', 100));
    q.add(pod('c'));
    assert.deepEqual([(await q.pop())!.pod.metadata.name, (await q.pop())!.pod.metadata.name, (await q.pop())!.pod.metadata.name], ['b', 'a', 'c']);
  });

  it('moves an unschedulable pod back only on an event a rejecting plugin cares about, after its backoff', async () => {
    const clock = new VirtualClock();
    const q = new SchedulingQueue(clock, pluginEvents, UPSTREAM);
    const c = consumer(q);
    q.add(pod('web-0'));
    const first = (await c.take())!;
    q.failed(first, new Set(['NodeUnschedulable']));
    q.moveAll('AssignedPodDelete');
    assert.equal(await c.take(), undefined);
    q.moveAll('NodeTaint');
    // Still inside the 1s initial backoff.
    assert.equal(await c.take(), undefined);
    await clock.advance(1000);
    const second = (await c.take())!;
    assert.equal(second.attempts, 2);
    // The second failure backs off for 2s.
    q.failed(second, new Set(['NodeUnschedulable']));
    q.moveAll('NodeAdd');
    await clock.advance(1999);
    assert.equal(await c.take(), undefined);
    await clock.advance(1);
    assert.equal((await c.take())?.attempts, 3);
  });

  it('retries a pod at once after backoff if a relevant event happened while it was being scheduled', async () => {
    const clock = new VirtualClock();
    const q = new SchedulingQueue(clock, pluginEvents, UPSTREAM);
    const c = consumer(q);
    q.add(pod('web-0'));
    const inFlight = (await c.take())!;
    q.moveAll('AssignedPodDelete');
    q.failed(inFlight, new Set(['NodeResourcesFit']));
    await clock.advance(1000);
    assert.equal((await c.take())?.uid, 'uid-web-0');
  });

  it('retries unschedulable pods without any event once they have waited long enough', async () => {
    const clock = new VirtualClock();
    const q = new SchedulingQueue(clock, pluginEvents, UPSTREAM);
    const c = consumer(q);
    q.start();
    q.add(pod('web-0'));
    q.failed((await c.take())!, new Set(['NodeUnschedulable']));
    await clock.advance(DEFAULT_QUEUE_OPTIONS.flushIntervalMs - 1);
    assert.equal(await c.take(), undefined);
    await clock.advance(DEFAULT_QUEUE_OPTIONS.flushIntervalMs);
    assert.equal((await c.take())?.uid, 'uid-web-0');
    q.close();
  });

  it('forgets a deleted pod, even one that is being scheduled', async () => {
    const clock = new VirtualClock();
    const q = new SchedulingQueue(clock, pluginEvents, UPSTREAM);
    q.add(pod('a'));
    q.add(pod('b'));
    q.delete('uid-a');
    const c = consumer(q);
    const b = (await c.take())!;
    assert.equal(b.uid, 'uid-b');
    q.delete('uid-b');
    q.failed(b, new Set());
    await clock.advance(20_000);
    assert.equal(await c.take(), undefined);
  });
});
