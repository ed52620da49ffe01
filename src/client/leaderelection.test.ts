import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../machinery/clock.js';
import { testCluster } from '../testing/fixture.js';
import { REFS } from './client.js';
import { LeaderElector } from './leaderelection.js';

function candidate(c: Awaited<ReturnType<typeof testCluster>>, clock: VirtualClock, identity: string, events: string[], releaseOnCancel = false) {
  return new LeaderElector(c.client.resource(REFS.leases), clock, {
    namespace: 'kube-system',
    name: 'kube-controller-manager',
    identity,
    releaseOnCancel,
    random: () => 0,
    callbacks: {
      onStartedLeading: () => events.push(`${identity} started`),
      onStoppedLeading: () => events.push(`${identity} stopped`),
      onNewLeader: (who) => events.push(`${identity} sees ${who}`),
    },
  });
}

/** Let in-flight lease reads and writes (each awaits the store's commit) finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** Advance the clock in retry-period steps, letting each round of attempts complete. */
async function advance(clock: VirtualClock, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 500) {
    await clock.advance(Math.min(500, left));
    await settle();
  }
}

/** server-a and server-b campaigning for one lease on a virtual clock. */
async function twoCandidates() {
  const clock = new VirtualClock();
  const c = await testCluster(clock);
  const events: string[] = [];
  return { clock, c, events, a: candidate(c, clock, 'server-a', events), b: candidate(c, clock, 'server-b', events) };
}

test('one candidate leads; another takes over only after the lease duration it observed', async () => {
  const { clock, c, events, a, b } = await twoCandidates();
  a.run();
  await advance(clock, 1);
  await settle();
  b.run();
  await advance(clock, 3_000);
  assert.equal(a.isLeader(), true);
  assert.equal(b.isLeader(), false);
  let lease = await c.client.resource(REFS.leases).get('kube-system', 'kube-controller-manager');
  assert.equal(lease.spec?.holderIdentity, 'server-a');
  assert.equal(lease.spec?.leaseDurationSeconds, 15);
  assert.equal(lease.spec?.leaseTransitions, 0);

  // server-a dies without releasing: its renewals stop.
  await a.stop();
  events.length = 0;
  await advance(clock, 10_000);
  assert.equal(b.isLeader(), false, 'the lease is still within its duration');
  await advance(clock, 8_000);
  assert.equal(b.isLeader(), true);
  lease = await c.client.resource(REFS.leases).get('kube-system', 'kube-controller-manager');
  assert.equal(lease.spec?.holderIdentity, 'server-b');
  assert.equal(lease.spec?.leaseTransitions, 1);
  assert.ok(events.includes('server-b started'));
  assert.ok(events.includes('server-b sees server-b'));
  await b.stop();
  c.stop();
});

test('a leader that releases on stop lets the next candidate in at once', async () => {
  const clock = new VirtualClock();
  const c = await testCluster(clock);
  const events: string[] = [];
  const a = candidate(c, clock, 'server-a', events, true);
  a.run();
  await advance(clock, 1);
  const b = candidate(c, clock, 'server-b', events);
  b.run();
  await advance(clock, 2_000);
  assert.equal(a.isLeader(), true);
  await a.stop();
  assert.deepEqual(events.slice(-1), ['server-a stopped']);
  const released = await c.client.resource(REFS.leases).get('kube-system', 'kube-controller-manager');
  assert.equal(released.spec?.holderIdentity, '');
  await advance(clock, 4_000);
  assert.equal(b.isLeader(), true, 'no holder: no need to wait for expiry');
  await b.stop();
  c.stop();
});

test('a leader whose renewals keep failing stops leading after the renew deadline', async () => {
  const clock = new VirtualClock();
  const c = await testCluster(clock);
  const events: string[] = [];
  const a = candidate(c, clock, 'server-a', events);
  a.run();
  await advance(clock, 1);
  assert.equal(a.isLeader(), true);
  // Someone else takes the lease by force: every renewal from now on sees another holder within its duration.
  const leases = c.client.resource(REFS.leases);
  const current = await leases.get('kube-system', 'kube-controller-manager');
  await leases.update('kube-system', { ...current, spec: { ...current.spec, holderIdentity: 'intruder' } });
  await advance(clock, 9_000);
  assert.equal(a.isLeader(), true, 'still within the renew deadline');
  await advance(clock, 2_000);
  assert.equal(a.isLeader(), false);
  assert.ok(events.includes('server-a stopped'));
  await a.stop();
  c.stop();
});

test('a candidate watching the lease takes over one lease duration after the last renewal, not a poll later', async () => {
  const { clock, c, a, b } = await twoCandidates();
  a.run();
  await advance(clock, 1);
  b.run();
  await advance(clock, 5_000);
  await a.stop();
  const lastRenew = Date.parse((await c.client.resource(REFS.leases).get('kube-system', 'kube-controller-manager')).spec!.renewTime!);
  // When server-b saw server-a's last renewal (its own clock, as client-go's observedTime).
  const observed = () => b['observedTime'];
  let tookOver = 0;
  let lastObserved = observed();
  for (let i = 0; i < 250 && !tookOver; i++) {
    await clock.advance(100);
    await settle();
    if (b.isLeader()) tookOver = clock.now();
    else lastObserved = observed();
  }
  assert.ok(tookOver > 0, 'server-b took over');
  const after = tookOver - lastObserved;
  // On a retry-period cadence it would be the first attempt past 15 s: 16 s after the observation.
  assert.ok(after >= 15_000 && after <= 15_200, `took over ${after} ms after observing the last renewal (lease 15 s, retry period 2 s)`);
  // The watch shows each renewal when it is written, not at the next poll (which could be 2 s later).
  assert.ok(tookOver - lastRenew <= 15_200, `took over ${tookOver - lastRenew} ms after the last renewal`);
  await b.stop();
  c.stop();
});
