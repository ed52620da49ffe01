import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { REFS } from '../../client/client.js';
import { activeWhen, finishPod, getJob, isGone, jobWhen, NS, piJob, settle, startJobController, waitFor, type JobHarness } from './job_test_harness.js';

let h: JobHarness;
afterEach(() => h?.stop());

test('ttlSecondsAfterFinished deletes the Job that long after it completed', async () => {
  h = await startJobController({ ttl: true });
  await h.cluster.client.resource(REFS.jobs).create(NS, piJob({ ttlSecondsAfterFinished: 100 }));
  const [pod] = await activeWhen(h, 1);
  await h.clock.advance(20_000);
  await finishPod(h, pod.metadata!.name!, 'Succeeded');
  await jobWhen(h, (j) => !!j.status?.completionTime, 'complete');
  await h.clock.advance(99_000);
  await settle();
  assert.equal(await isGone(h), false, 'kept until the TTL has passed');
  await h.clock.advance(1_000);
  // Foreground deletion: the Job waits for the garbage collector (not running here) to remove its pods.
  const deleting = await waitFor(async () => (await isGone(h)) || (await getJob(h)).metadata?.deletionTimestamp, 'job deleted');
  assert.ok(deleting);
  if (!(await isGone(h))) assert.deepEqual((await getJob(h)).metadata?.finalizers, ['foregroundDeletion']);
});

test('a Job without ttlSecondsAfterFinished stays', async () => {
  h = await startJobController({ ttl: true });
  await h.cluster.client.resource(REFS.jobs).create(NS, piJob());
  const [pod] = await activeWhen(h, 1);
  await finishPod(h, pod.metadata!.name!, 'Succeeded');
  await jobWhen(h, (j) => !!j.status?.completionTime, 'complete');
  await h.clock.advance(3_600_000);
  await settle();
  assert.equal(await isGone(h), false);
});
