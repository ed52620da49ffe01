import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { REFS } from '../../client/client.js';
import { activePods, activeWhen, finishPod, getJob, jobEvents, jobPods, jobWhen, markRunningReady, NS, piJob, settle, startJobController, waitFor, type JobHarness } from './job_test_harness.js';

let h: JobHarness;
afterEach(() => h?.stop());

const createJob = (spec = {}) => h.cluster.client.resource(REFS.jobs).create(NS, piJob(spec));
const cond = (j: { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }, type: string) =>
  j.status?.conditions?.find((c) => c.type === type);

test('completions 3 parallelism 2 runs two pods, then one, and completes when three succeed', async () => {
  h = await startJobController();
  const job = await createJob({ completions: 3, parallelism: 2 });
  const first = await activeWhen(h, 2);
  const pod = first[0];
  assert.equal(pod.metadata!.generateName, 'pi-');
  assert.deepEqual(pod.metadata!.finalizers, ['batch.kubernetes.io/job-tracking']);
  const uid = job.metadata.uid;
  assert.equal(pod.metadata!.labels!['batch.kubernetes.io/controller-uid'], uid);
  assert.equal(pod.metadata!.labels!['controller-uid'], uid);
  assert.equal(pod.metadata!.labels!['batch.kubernetes.io/job-name'], 'pi');
  assert.equal(pod.metadata!.labels!['job-name'], 'pi');
  assert.deepEqual(pod.metadata!.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid, controller: true, blockOwnerDeletion: true }]);
  await markRunningReady(h, first[0].metadata!.name!);
  const running = await jobWhen(h, (j) => j.status?.active === 2 && j.status?.ready === 1, 'active 2 ready 1');
  assert.ok(running.status?.startTime);

  await h.clock.advance(5000);
  await finishPod(h, first[0].metadata!.name!, 'Succeeded');
  await finishPod(h, first[1].metadata!.name!, 'Succeeded');
  const last = await activeWhen(h, 1);
  assert.ok(!first.some((p) => p.metadata!.name === last[0].metadata!.name));
  const mid = await jobWhen(h, (j) => j.status?.succeeded === 2, 'succeeded 2');
  assert.equal(mid.status?.active, 1);
  // Counted pods lose the tracking finalizer.
  await waitFor(() => jobPods(h).filter((p) => p.status?.phase === 'Succeeded').every((p) => !p.metadata?.finalizers?.length), 'finalizers removed');
  await settle();
  assert.equal(jobPods(h).length, 3, 'no fourth pod');

  await h.clock.advance(5000);
  await finishPod(h, last[0].metadata!.name!, 'Succeeded');
  const done = await jobWhen(h, (j) => cond(j, 'Complete')?.status === 'True', 'Complete');
  assert.equal(done.status?.succeeded, 3);
  assert.equal(done.status?.active, 0);
  assert.equal(done.status?.failed ?? 0, 0);
  assert.equal(done.status?.completionTime, '2026-01-01T00:00:10Z');
  assert.deepEqual(done.status?.uncountedTerminatedPods, {});
  assert.equal(cond(done, 'SuccessCriteriaMet')?.status, 'True');
  assert.equal(cond(done, 'Complete')?.reason, 'CompletionsReached');
  assert.equal(cond(done, 'Complete')?.message, 'Reached expected number of succeeded pods');
  await waitFor(async () => (await jobEvents(h)).includes('Normal Completed Job completed'), 'Completed event');
  const events = await jobEvents(h);
  assert.equal(events.filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: pi-')).length, 3);
});

test('Indexed: one pod per index with the index annotation, label, hostname and env; completedIndexes', async () => {
  h = await startJobController();
  await createJob({ completions: 3, parallelism: 3, completionMode: 'Indexed' });
  const pods = await activeWhen(h, 3);
  const byIndex = new Map(pods.map((p) => [p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'], p]));
  assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
  for (const [ix, p] of byIndex) {
    assert.equal(p.metadata!.labels!['batch.kubernetes.io/job-completion-index'], ix);
    assert.equal(p.spec!.hostname, `pi-${ix}`);
    assert.match(p.metadata!.name!, new RegExp(`^pi-${ix}-[a-z0-9]{5}$`));
    assert.deepEqual(p.spec!.containers[0].env, [
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
    ]);
  }
  await finishPod(h, byIndex.get('2')!.metadata!.name!, 'Succeeded');
  await finishPod(h, byIndex.get('0')!.metadata!.name!, 'Succeeded');
  const mid = await jobWhen(h, (j) => j.status?.completedIndexes === '0,2', 'completedIndexes 0,2');
  assert.equal(mid.status?.succeeded, 2);
  // A failed index is retried with a pod of the same index.
  await finishPod(h, byIndex.get('1')!.metadata!.name!, 'Failed');
  await h.clock.advance(10_000);
  const [retry] = await activeWhen(h, 1);
  assert.equal(retry.metadata!.annotations!['batch.kubernetes.io/job-completion-index'], '1');
  await finishPod(h, retry.metadata!.name!, 'Succeeded');
  const done = await jobWhen(h, (j) => cond(j, 'Complete')?.status === 'True', 'Complete');
  assert.equal(done.status?.completedIndexes, '0-2');
  assert.equal(done.status?.succeeded, 3);
  assert.equal(done.status?.failed, 1);
});

test('failed pods are replaced after 10 s, 20 s, ... until backoffLimit, then the Job fails', async () => {
  h = await startJobController();
  await createJob({ backoffLimit: 2 });
  let [pod] = await activeWhen(h, 1);
  await finishPod(h, pod.metadata!.name!, 'Failed');
  await jobWhen(h, (j) => j.status?.failed === 1, 'failed 1');
  await h.clock.advance(9_000);
  await settle();
  assert.equal(activePods(h).length, 0, 'still backing off at 9 s');
  await h.clock.advance(1_000);
  [pod] = await activeWhen(h, 1);
  await finishPod(h, pod.metadata!.name!, 'Failed');
  await jobWhen(h, (j) => j.status?.failed === 2, 'failed 2');
  await h.clock.advance(19_000);
  await settle();
  assert.equal(activePods(h).length, 0, 'second back-off is 20 s');
  await h.clock.advance(1_000);
  [pod] = await activeWhen(h, 1);
  await finishPod(h, pod.metadata!.name!, 'Failed');
  const failed = await jobWhen(h, (j) => cond(j, 'Failed')?.status === 'True', 'Failed');
  assert.equal(failed.status?.failed, 3);
  assert.equal(cond(failed, 'Failed')?.reason, 'BackoffLimitExceeded');
  assert.equal(cond(failed, 'Failed')?.message, 'Job has reached the specified backoff limit');
  assert.equal(cond(failed, 'FailureTarget')?.status, 'True');
  assert.equal(failed.status?.completionTime, undefined);
  await waitFor(async () => (await jobEvents(h)).includes('Warning BackoffLimitExceeded Job has reached the specified backoff limit'), 'event');
  await h.clock.advance(60_000);
  await settle();
  assert.equal(jobPods(h).length, 3, 'no pod after the Job failed');
});

test('activeDeadlineSeconds: the running pod is deleted and the Job fails with DeadlineExceeded', async () => {
  h = await startJobController();
  await createJob({ activeDeadlineSeconds: 30 });
  const [pod] = await activeWhen(h, 1);
  await h.clock.advance(29_000);
  await settle();
  assert.equal(activePods(h).length, 1);
  await h.clock.advance(1_000);
  const failed = await jobWhen(h, (j) => cond(j, 'Failed')?.status === 'True', 'Failed');
  assert.equal(cond(failed, 'Failed')?.reason, 'DeadlineExceeded');
  assert.equal(cond(failed, 'Failed')?.message, 'Job was active longer than specified deadline');
  assert.equal(failed.status?.active, 0);
  assert.equal(failed.status?.failed, 1, 'the deleted pod counts as failed');
  await waitFor(() => !jobPods(h).some((p) => p.metadata!.name === pod.metadata!.name), 'pod gone');
});

test('suspend deletes the active pods and sets Suspended; resuming creates them again', async () => {
  h = await startJobController();
  await createJob({ completions: 2, parallelism: 2 });
  await activeWhen(h, 2);
  await h.cluster.client.resource(REFS.jobs).patch(NS, 'pi', 'merge', { spec: { suspend: true } });
  const suspended = await jobWhen(h, (j) => cond(j, 'Suspended')?.status === 'True', 'Suspended');
  assert.equal(cond(suspended, 'Suspended')?.reason, 'JobSuspended');
  assert.equal(cond(suspended, 'Suspended')?.message, 'Job suspended');
  await waitFor(() => jobPods(h).length === 0, 'pods deleted');
  await jobWhen(h, (j) => j.status?.active === 0, 'active 0');
  await h.clock.advance(60_000);
  await h.cluster.client.resource(REFS.jobs).patch(NS, 'pi', 'merge', { spec: { suspend: false } });
  const resumed = await jobWhen(h, (j) => cond(j, 'Suspended')?.status === 'False', 'resumed');
  assert.equal(cond(resumed, 'Suspended')?.reason, 'JobResumed');
  assert.equal(resumed.status?.startTime, '2026-01-01T00:01:00Z', 'startTime restarts on resume');
  await activeWhen(h, 2);
  await waitFor(async () => (await jobEvents(h)).includes('Normal Resumed Job resumed'), 'Resumed event');
  assert.ok((await jobEvents(h)).includes('Normal Suspended Job suspended'));
});

test('a Job created suspended creates no pods and has no startTime', async () => {
  h = await startJobController();
  await createJob({ suspend: true });
  await jobWhen(h, (j) => cond(j, 'Suspended')?.status === 'True', 'Suspended');
  await settle();
  assert.equal(jobPods(h).length, 0);
  assert.equal((await getJob(h)).status?.startTime, undefined);
});

test('without completions (work queue): the first success stops new pods; done when the rest have finished', async () => {
  h = await startJobController();
  const created = await createJob({ parallelism: 2 });
  assert.equal(created.spec?.completions, undefined);
  const pods = await activeWhen(h, 2);
  await finishPod(h, pods[0].metadata!.name!, 'Succeeded');
  await jobWhen(h, (j) => j.status?.succeeded === 1 && j.status?.active === 1, 'succeeded 1 active 1');
  await settle();
  assert.equal(jobPods(h).length, 2, 'no replacement after a success');
  assert.equal(cond(await getJob(h), 'Complete'), undefined);
  await finishPod(h, pods[1].metadata!.name!, 'Succeeded');
  const done = await jobWhen(h, (j) => cond(j, 'Complete')?.status === 'True', 'Complete');
  assert.equal(done.status?.succeeded, 2);
});

test('lowering parallelism deletes the surplus pods, with SuccessfulDelete events', async () => {
  h = await startJobController();
  await createJob({ completions: 10, parallelism: 3 });
  await activeWhen(h, 3);
  await h.cluster.client.resource(REFS.jobs).patch(NS, 'pi', 'merge', { spec: { parallelism: 1 } });
  await activeWhen(h, 1);
  await waitFor(async () => (await jobEvents(h)).filter((e) => e.startsWith('Normal SuccessfulDelete Deleted pod: pi-')).length === 2, 'two deletions');
  await jobWhen(h, (j) => j.status?.active === 1, 'active 1');
});

test('a pod whose Job is gone loses the tracking finalizer; a pod of a live Job keeps it', async () => {
  h = await startJobController();
  const live = await createJob({ completions: 1 });
  const [owned] = await activeWhen(h, 1);
  const pods = h.cluster.client.resource(REFS.pods);
  const orphan = await pods.create(NS, {
    metadata: {
      name: 'orphan',
      finalizers: ['batch.kubernetes.io/job-tracking'],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'gone', uid: '00000000-0000-0000-0000-000000000000', controller: true }],
    },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  assert.deepEqual(orphan.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
  await waitFor(async () => !(await pods.get(NS, 'orphan')).metadata.finalizers?.length, 'orphan finalizer removed');
  assert.equal(getControllerUid(await pods.get(NS, owned.metadata!.name!)), live.metadata.uid);
  assert.deepEqual((await pods.get(NS, owned.metadata!.name!)).metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
});

const getControllerUid = (p: { metadata: { ownerReferences?: { controller?: boolean; uid: string }[] } }) => p.metadata.ownerReferences?.find((r) => r.controller)?.uid;
