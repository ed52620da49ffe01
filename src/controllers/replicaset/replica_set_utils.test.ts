import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { VirtualClock } from '../../machinery/clock.js';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.js';
import { calculateStatus, KINDS, slowStartBatch } from './replica_set_utils.js';

test('slowStartBatch runs batches of 1, 2, 4, ... and stops after the first batch with a failure', async () => {
  const batches: number[] = [];
  let inFlight = 0;
  const ok = await slowStartBatch(10, 1, async () => {
    if (inFlight++ === 0) queueMicrotask(() => batches.push(inFlight));
    await new Promise((r) => setImmediate(r));
    inFlight--;
  });
  assert.deepEqual(ok, { successes: 10 });
  assert.deepEqual(batches, [1, 2, 4, 3]);
  let calls = 0;
  const failing = await slowStartBatch(10, 1, async () => {
    if (++calls > 2) throw new Error('quota');
  });
  // Batch 1: call 1 succeeds; batch 2: call 2 succeeds, call 3 fails; no third batch.
  assert.equal(calls, 3);
  assert.equal(failing.successes, 2);
  assert.equal((failing.error as Error).message, 'quota');
});

test('expectations: satisfied when met, when none were set, or after the timeout', async () => {
  const clock = new VirtualClock();
  const e = new ControllerExpectations(clock);
  assert.equal(e.satisfiedExpectations('ns/rs'), true);
  e.expectCreations('ns/rs', 2);
  assert.equal(e.satisfiedExpectations('ns/rs'), false);
  e.creationObserved('ns/rs');
  e.creationObserved('ns/rs');
  assert.equal(e.satisfiedExpectations('ns/rs'), true);
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/other');
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a');
  assert.equal(e.satisfiedExpectations('ns/rs'), false, 'only expected, distinct deletions count');
  await clock.advance(EXPECTATIONS_TIMEOUT_MS + 1);
  assert.equal(e.satisfiedExpectations('ns/rs'), true, 'expired');
});

const NOW = Date.parse('2026-01-01T00:10:00Z');
const readyPod = (labels: Record<string, string>, since: string): Pod => ({
  metadata: { labels },
  spec: { containers: [] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }] },
});

test('calculateStatus counts fully labeled, ready and available pods and adds ReplicaFailure', () => {
  const rs: ReplicaSet = { metadata: { generation: 2 }, spec: { replicas: 4, minReadySeconds: 60, selector: {}, template: { metadata: { labels: { app: 'a', tier: 't' } } } }, status: { replicas: 0, observedGeneration: 1 } };
  const pods = [readyPod({ app: 'a', tier: 't' }, '2026-01-01T00:00:00Z'), readyPod({ app: 'a', tier: 't' }, '2026-01-01T00:09:30Z'), readyPod({ tier: 't' }, '2026-01-01T00:00:00Z')];
  const status = calculateStatus(rs, pods, new Error('boom'), NOW);
  assert.equal(status.replicas, 3);
  assert.equal(status.fullyLabeledReplicas, 2);
  assert.equal(status.readyReplicas, 3);
  assert.equal(status.availableReplicas, 2);
  assert.deepEqual(status.conditions, [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2026-01-01T00:10:00Z', reason: 'FailedCreate', message: 'boom' }]);
  const cleared = calculateStatus({ ...rs, status }, pods, undefined, NOW);
  assert.equal(cleared.conditions, undefined);
  const surplus = calculateStatus({ ...rs, spec: { ...rs.spec!, replicas: 1 } }, pods, new Error('nope'), NOW);
  assert.equal(surplus.conditions?.[0].reason, 'FailedDelete');
});

test('a ReplicationController selector is a label map; an absent one selects nothing', () => {
  const sel = KINDS.ReplicationController.selector({ spec: { selector: { app: 'nginx' } } });
  assert.deepEqual(sel, KINDS.ReplicaSet.selector({ spec: { selector: { matchLabels: { app: 'nginx' } } } }));
  assert.equal(KINDS.ReplicationController.selector({ spec: {} }), undefined);
});
