import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { slowStartBatch, updateStatus } from './stateful_set_control.js';

test('slow start: batches of 1, 2, 4, … run together; a failing batch stops the rest', async () => {
  // Calls started in the same synchronous run belong to one batch.
  const batches: number[][] = [];
  let open: number[] | undefined;
  const done = await slowStartBatch(1, 10, async (i) => {
    if (!open) {
      batches.push((open = []));
      queueMicrotask(() => (open = undefined));
    }
    open.push(i);
  });
  assert.equal(done, 10);
  assert.deepEqual(batches, [[0], [1, 2], [3, 4, 5, 6], [7, 8, 9]]);

  const seen: number[] = [];
  await assert.rejects(
    slowStartBatch(1, 10, async (i) => {
      seen.push(i);
      if (i === 1) throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(seen, [0, 1, 2], 'the batch with the failure finishes, no later batch starts');
});

test('status counts: terminating pods count as replicas and ready, not as current or updated', () => {
  const rev = (name: string): ControllerRevision => ({ metadata: { name }, revision: 1 });
  const pod = (name: string, revision: string, opts: { ready?: boolean; terminating?: boolean; created?: boolean } = {}): Pod => ({
    metadata: {
      name,
      labels: { 'controller-revision-hash': revision },
      deletionTimestamp: opts.terminating ? '2026-01-01T00:00:00Z' : undefined,
    },
    status:
      opts.created === false ? undefined : { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  });
  const status = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  const now = Date.parse('2026-01-01T00:00:05Z');
  updateStatus(status, 3, now, rev('web-a'), rev('web-b'), [
    pod('web-0', 'web-a'),
    pod('web-1', 'web-a', { terminating: true }),
    pod('web-2', 'web-b', { ready: false }),
    pod('web-3', 'web-b', { created: false }),
  ]);
  assert.deepEqual(status, { replicas: 3, readyReplicas: 2, availableReplicas: 2, currentReplicas: 1, updatedReplicas: 1 });
  updateStatus(status, 10, now, rev('web-a'), rev('web-b'), [pod('web-0', 'web-a')]);
  assert.equal(status.availableReplicas, 0, 'not yet minReadySeconds');
});
