import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REFS } from '../client/client.js';
import { EventRecorder } from '../client/events.js';
import { VirtualClock } from '../machinery/clock.js';
import { testCluster } from '../testing/fixture.js';
import { EventTTL } from './eventttl.js';

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` } });

test('events last seen more than the TTL ago are deleted by the minute sweep; newer and repeated ones stay', async () => {
  const clock = new VirtualClock();
  const c = await testCluster(clock);
  const recorder = new EventRecorder(c.client, clock, { component: 'test' });
  const ttl = new EventTTL(c.registry, clock, 60 * 60_000);
  ttl.start();
  try {
    recorder.event(pod('old'), 'Normal', 'Pulled', 'once');
    recorder.event(pod('repeated'), 'Normal', 'BackOff', 'again');
    await recorder.flush();
    await clock.advance(40 * 60_000);
    recorder.event(pod('repeated'), 'Normal', 'BackOff', 'again'); // count 2, lastTimestamp now
    recorder.event(pod('new'), 'Normal', 'Pulled', 'later');
    await recorder.flush();
    await clock.advance(25 * 60_000);
    await new Promise((r) => setTimeout(r, 20));
    const names = (await c.client.resource(REFS.events).list('default')).items.map((e) => e.involvedObject.name).sort();
    assert.deepEqual(names, ['new', 'repeated']);
    await clock.advance(60 * 60_000);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual((await c.client.resource(REFS.events).list('default')).items, []);
  } finally {
    ttl.stop();
    c.stop();
  }
});

test('events recorded at the same instant get distinct names', async () => {
  const clock = new VirtualClock();
  const c = await testCluster(clock);
  const a = new EventRecorder(c.client, clock, { component: 'a' });
  const b = new EventRecorder(c.client, clock, { component: 'b' });
  for (let i = 0; i < 500; i++) {
    a.event(pod('same'), 'Normal', `R${i}`, 'm');
    b.event(pod('same'), 'Normal', `R${i}`, 'm');
  }
  await Promise.all([a.flush(), b.flush()]);
  const events = (await c.client.resource(REFS.events).list('default')).items;
  assert.equal(events.length, 1000);
  assert.equal(new Set(events.map((e) => e.metadata.name)).size, 1000);
  c.stop();
});
