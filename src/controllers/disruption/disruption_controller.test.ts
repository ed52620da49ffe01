import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Event, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { REFS } from '../../client/client.js';
import type { Stored } from '../../client/objects.js';
import { rfc3339, VirtualClock } from '../../machinery/clock.js';
import { testCluster, waitFor, type TestCluster } from '../../testing/fixture.js';
import { DisruptionController } from './disruption_controller.js';

const NS = 'default';
const TEMPLATE = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } };

interface Env {
  c: TestCluster;
  clock: VirtualClock;
  done(): void;
  /** Poll, moving the virtual clock a little between attempts (back-off of a requeue runs on it). */
  until<T>(check: () => T | Promise<T>, what: string): Promise<NonNullable<T>>;
}

async function setup(): Promise<Env> {
  const clock = new VirtualClock();
  const c = await testCluster(clock);
  const ctrl = new DisruptionController(c.ctx);
  await c.start();
  ctrl.start();
  const until = <T>(check: () => T | Promise<T>, what: string) =>
    waitFor(check, what, 5000, async () => {
      await new Promise((r) => setTimeout(r, 5));
      await clock.advance(5);
    }) as Promise<NonNullable<T>>;
  return {
    c,
    clock,
    until,
    done() {
      ctrl.stop();
      c.stop();
    },
  };
}

async function statefulSet(env: Env, replicas: number): Promise<OwnerReference> {
  const ss: StatefulSet = { metadata: { name: 'web' }, spec: { replicas, serviceName: 'nginx', selector: { matchLabels: { app: 'web' } }, template: TEMPLATE } };
  const created = await env.c.client.resource(REFS.statefulsets).create(NS, ss);
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: created.metadata.uid!, controller: true };
}

/** StatefulSet web of 3 replicas with its pods web-0..2, Ready. */
async function threeReadyPods(env: Env): Promise<OwnerReference> {
  const owner = await statefulSet(env, 3);
  for (const n of ['web-0', 'web-1', 'web-2']) await podOf(env, n, owner);
  return owner;
}

async function podOf(env: Env, name: string, owner: OwnerReference | undefined, ready = true, extra: PodCondition[] = []): Promise<void> {
  const pods = env.c.client.resource(REFS.pods);
  const pod: Pod = { metadata: { name, labels: { app: 'web' }, ...(owner ? { ownerReferences: [owner] } : {}) }, spec: TEMPLATE.spec };
  const created = await pods.create(NS, pod);
  const conditions: PodCondition[] = [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: rfc3339(env.clock.now()) }, ...extra];
  await pods.updateStatus(NS, { ...structuredClone(created), status: { phase: 'Running', conditions } });
}

async function setReady(env: Env, name: string, ready: boolean): Promise<void> {
  const pods = env.c.client.resource(REFS.pods);
  const pod = structuredClone(await pods.get(NS, name));
  pod.status!.conditions = pod.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: ready ? 'True' : 'False' } : c));
  await pods.updateStatus(NS, pod);
}

const pdbs = (env: Env) => env.c.client.resource(REFS.poddisruptionbudgets);

async function createPdb(env: Env, spec: Partial<PodDisruptionBudgetSpec>, name = 'web-pdb'): Promise<void> {
  const pdb: PodDisruptionBudget = { metadata: { name }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec } };
  await pdbs(env).create(NS, pdb);
}

const summary = (s: PodDisruptionBudgetStatus | undefined) =>
  s && { expected: s.expectedPods, desired: s.desiredHealthy, healthy: s.currentHealthy, allowed: s.disruptionsAllowed, reason: s.conditions?.[0]?.reason };

async function statusOf(env: Env, want: ReturnType<typeof summary>, name = 'web-pdb'): Promise<Stored<PodDisruptionBudget>> {
  let last: unknown;
  try {
    return await env.until(async () => {
      const pdb = await pdbs(env).get(NS, name);
      last = summary(pdb.status);
      return JSON.stringify(last) === JSON.stringify(want) ? pdb : undefined;
    }, `status ${JSON.stringify(want)}`);
  } catch (e) {
    assert.deepEqual(last, want, (e as Error).message);
    throw e;
  }
}

async function eventsFor(env: Env, reason: string): Promise<Event[]> {
  await env.c.ctx.recorder('controllermanager').flush();
  return (await env.c.client.events.list(NS)).items.filter((e: Event) => e.reason === reason);
}

describe('DisruptionController', () => {
  it('a StatefulSet of 3 ready replicas under maxUnavailable 1, then a scale-up and a spec change', async () => {
    const env = await setup();
    try {
      await threeReadyPods(env);
      await createPdb(env, { maxUnavailable: 1 });
      const pdb = await statusOf(env, { expected: 3, desired: 2, healthy: 3, allowed: 1, reason: 'SufficientPods' });
      assert.equal(pdb.status?.observedGeneration, 1);
      assert.deepEqual(
        pdb.status?.conditions?.map(({ type, status, observedGeneration }) => ({ type, status, observedGeneration })),
        [{ type: 'DisruptionAllowed', status: 'True', observedGeneration: 1 }],
      );
      // Nothing changes, so nothing is written again (no hot loop on its own status updates).
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 10));
        await env.clock.advance(1000);
      }
      assert.equal((await pdbs(env).get(NS, 'web-pdb')).metadata.resourceVersion, pdb.metadata.resourceVersion);

      // The StatefulSet scales to 5 before its new pods exist: the PDB follows the scale at once.
      const ss = structuredClone(await env.c.client.resource(REFS.statefulsets).get(NS, 'web'));
      ss.spec!.replicas = 5;
      await env.c.client.resource(REFS.statefulsets).update(NS, ss);
      await statusOf(env, { expected: 5, desired: 4, healthy: 3, allowed: 0, reason: 'InsufficientPods' });

      // A spec update: generation 2 is observed, 50% of 5 rounds up to 3 unavailable.
      const cur = structuredClone(await pdbs(env).get(NS, 'web-pdb'));
      cur.spec!.maxUnavailable = '50%';
      await pdbs(env).update(NS, cur);
      const bumped = await statusOf(env, { expected: 5, desired: 2, healthy: 3, allowed: 1, reason: 'SufficientPods' });
      assert.equal(bumped.metadata.generation, 2);
      assert.equal(bumped.status?.observedGeneration, 2);
    } finally {
      env.done();
    }
  });

  it('unready and terminating pods are not healthy', async () => {
    const env = await setup();
    try {
      await threeReadyPods(env);
      await createPdb(env, { minAvailable: '50%' });
      await statusOf(env, { expected: 3, desired: 2, healthy: 3, allowed: 1, reason: 'SufficientPods' });
      await setReady(env, 'web-1', false);
      await statusOf(env, { expected: 3, desired: 2, healthy: 2, allowed: 0, reason: 'InsufficientPods' });
      await setReady(env, 'web-1', true);
      await statusOf(env, { expected: 3, desired: 2, healthy: 3, allowed: 1, reason: 'SufficientPods' });
      // A graceful deletion leaves the pod in place with a deletionTimestamp.
      await env.c.client.resource(REFS.pods).delete(NS, 'web-2', { gracePeriodSeconds: 30 });
      await statusOf(env, { expected: 3, desired: 2, healthy: 2, allowed: 0, reason: 'InsufficientPods' });
    } finally {
      env.done();
    }
  });

  it('a bare pod under an integer minAvailable; no pods gives NoPods and nothing allowed', async () => {
    const env = await setup();
    try {
      await createPdb(env, { minAvailable: 0 });
      await statusOf(env, { expected: 0, desired: 0, healthy: 0, allowed: 0, reason: 'InsufficientPods' });
      const noPods = await eventsFor(env, 'NoPods');
      assert.equal(noPods[0]?.message, 'No matching pods found');
      assert.equal(noPods[0]?.type, 'Normal');
      await podOf(env, 'solo', undefined);
      await statusOf(env, { expected: 1, desired: 0, healthy: 1, allowed: 1, reason: 'SufficientPods' });
      assert.deepEqual(await eventsFor(env, 'UnmanagedPods'), []);
      // Relabelled out of the selector: the PDB it left recounts.
      const pods = env.c.client.resource(REFS.pods);
      const solo = structuredClone(await pods.get(NS, 'solo'));
      solo.metadata.labels = { app: 'other' };
      await pods.update(NS, solo);
      await statusOf(env, { expected: 0, desired: 0, healthy: 0, allowed: 0, reason: 'InsufficientPods' });
    } finally {
      env.done();
    }
  });

  it('a percentage over an unmanaged pod warns UnmanagedPods', async () => {
    const env = await setup();
    try {
      await podOf(env, 'solo', undefined);
      await createPdb(env, { maxUnavailable: '50%' });
      await statusOf(env, { expected: 0, desired: 0, healthy: 1, allowed: 0, reason: 'InsufficientPods' });
      const [ev] = await env.until(() => eventsFor(env, 'UnmanagedPods').then((l) => l.length > 0 ? l : undefined), 'UnmanagedPods event');
      assert.equal(ev.type, 'Warning');
      assert.match(ev.message!, /^Pods selected by this PodDisruptionBudget \(selector: &LabelSelector\{MatchLabels:map\[string\]string\{app: web,\},/);
    } finally {
      env.done();
    }
  });

  it('a Deployment pod counts the Deployment scale; a missing controller fails safe with SyncFailed', async () => {
    const env = await setup();
    try {
      const d = await env.c.client.resource(REFS.deployments).create(NS, { metadata: { name: 'web' }, spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: TEMPLATE } });
      const dRef: OwnerReference = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid!, controller: true };
      const rs = await env.c.client.resource(REFS.replicasets).create(NS, {
        metadata: { name: 'web-abc', ownerReferences: [dRef] },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: TEMPLATE },
      });
      const rsRef: OwnerReference = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: rs.metadata.uid!, controller: true };
      await podOf(env, 'web-abc-1', rsRef);
      await podOf(env, 'web-abc-2', rsRef);
      await createPdb(env, { maxUnavailable: 1 });
      await statusOf(env, { expected: 4, desired: 3, healthy: 2, allowed: 0, reason: 'InsufficientPods' });

      await env.c.client.resource(REFS.replicasets).delete(NS, 'web-abc');
      const failed = await statusOf(env, { expected: 4, desired: 3, healthy: 2, allowed: 0, reason: 'SyncFailed' });
      assert.equal(failed.status?.conditions?.[0]?.status, 'False');
      assert.equal(failed.status?.conditions?.[0]?.message, 'found no controllers for pod "web-abc-1"');
      const [ev] = await eventsFor(env, 'CalculateExpectedPodCountFailed');
      assert.equal(ev?.message, 'Failed to calculate the number of expected pods: found no controllers for pod "web-abc-1"');
    } finally {
      env.done();
    }
  });

  it('evicted pods count as disrupted for 2 minutes, then are dropped with a NotDeleted warning', async () => {
    const env = await setup();
    try {
      await threeReadyPods(env);
      await createPdb(env, { maxUnavailable: 1 });
      const pdb = await statusOf(env, { expected: 3, desired: 2, healthy: 3, allowed: 1, reason: 'SufficientPods' });
      // What the eviction handler writes: one fewer allowed and the pod in disruptedPods.
      const evicted = structuredClone(pdb);
      evicted.status = { ...evicted.status!, disruptionsAllowed: 0, disruptedPods: { 'web-0': rfc3339(env.clock.now()) } };
      await pdbs(env).updateStatus(NS, evicted);
      const held = await statusOf(env, { expected: 3, desired: 2, healthy: 2, allowed: 0, reason: 'InsufficientPods' });
      assert.deepEqual(Object.keys(held.status?.disruptedPods ?? {}), ['web-0']);

      // The pod is never deleted: after DeletionTimeout the recheck counts it again.
      await env.clock.advance(2 * 60 * 1000 + 1000);
      const after = await statusOf(env, { expected: 3, desired: 2, healthy: 3, allowed: 1, reason: 'SufficientPods' });
      assert.equal(after.status?.disruptedPods, undefined);
      const [ev] = await env.until(() => eventsFor(env, 'NotDeleted').then((l) => l.length > 0 ? l : undefined), 'NotDeleted event');
      assert.equal(ev.type, 'Warning');
      assert.equal(ev.involvedObject.name, 'web-0');
      assert.equal(ev.message, "Pod was expected by PDB default/default to be deleted but it wasn't");
    } finally {
      env.done();
    }
  });

  it('a pod under two PDBs gets a MultiplePodDisruptionBudgets warning', async () => {
    const env = await setup();
    try {
      await createPdb(env, { minAvailable: 1 }, 'a-pdb');
      await createPdb(env, { minAvailable: 1 }, 'b-pdb');
      await podOf(env, 'solo', undefined);
      const [ev] = await env.until(() => eventsFor(env, 'MultiplePodDisruptionBudgets').then((l) => l.length > 0 ? l : undefined), 'the warning');
      assert.equal(ev.type, 'Warning');
      assert.equal(ev.involvedObject.kind, 'Pod');
      assert.equal(ev.message, 'Pod "default"/"solo" matches multiple PodDisruptionBudgets.  Chose "a-pdb" arbitrarily.');
      // Both PDBs still count the pod.
      await statusOf(env, { expected: 1, desired: 1, healthy: 1, allowed: 0, reason: 'InsufficientPods' }, 'b-pdb');
    } finally {
      env.done();
    }
  });

  it('resets a DisruptionTarget condition of a pod not deleted within 2 minutes', async () => {
    const env = await setup();
    try {
      const start = env.clock.now();
      const target: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: rfc3339(env.clock.now()) };
      await podOf(env, 'web-0', undefined, true, [target]);
      const condition = async () => (await env.c.client.resource(REFS.pods).get(NS, 'web-0')).status?.conditions?.find((c) => c.type === 'DisruptionTarget');
      await env.clock.advance(60 * 1000);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await condition())?.status, 'True');
      await env.clock.advance(61 * 1000);
      const reset = await env.until(async () => {
        const c = await condition();
        return c?.status === 'False' ? c : undefined;
      }, 'condition reset');
      assert.equal(reset.reason, undefined);
      assert.ok(Date.parse(reset.lastTransitionTime!) >= Date.parse(rfc3339(start + 120_000)));
    } finally {
      env.done();
    }
  });
});
