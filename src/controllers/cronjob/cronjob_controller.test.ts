import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { CronJob, CronJobSpec, Job } from 'kubernetes-types/batch/v1.js';
import { REFS } from '../../client/client.js';
import { rfc3339, VirtualClock } from '../../machinery/clock.js';
import { testCluster, waitFor, type TestCluster } from '../../testing/fixture.js';
import { CronJobController } from './cronjob_controller.js';

const NS = 'default';
let cluster: TestCluster;
let clock: VirtualClock;
let controller: CronJobController;
afterEach(() => {
  controller?.stop();
  cluster?.stop();
});

async function start(startAt?: string): Promise<void> {
  clock = new VirtualClock(startAt ? Date.parse(startAt) : undefined);
  cluster = await testCluster(clock);
  controller = new CronJobController(cluster.ctx);
  await cluster.start();
  controller.start();
}

const hello = (spec: Partial<CronJobSpec> = {}): CronJob => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'hello', namespace: NS },
  spec: {
    schedule: '*/1 * * * *',
    jobTemplate: { spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox:1.28', command: ['date'] }], restartPolicy: 'OnFailure' } } } },
    ...spec,
  },
});

/** Create, and let the first sync arm the timer for the next schedule time (100 ms after it: nextScheduleDelta). */
async function create(spec: Partial<CronJobSpec> = {}): Promise<CronJob> {
  const cj = await cluster.client.resource(REFS.cronjobs).create(NS, hello(spec));
  await settle(50);
  return cj;
}
const getCJ = () => cluster.client.resource(REFS.cronjobs).get(NS, 'hello');
const jobNames = async () => (await cluster.client.resource(REFS.jobs).list(NS)).items.filter((j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name).sort();
const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));
const nameAt = (iso: string) => `hello-${Date.parse(iso) / 60_000}`;

async function jobsWhen(n: number): Promise<string[]> {
  return (await waitFor(async () => {
    const names = await jobNames();
    return names.length === n ? names : undefined;
  }, `${n} jobs`))!;
}

/** What the Job controller writes when a Job ends. */
async function finishJob(name: string, type: 'Complete' | 'Failed'): Promise<void> {
  const job: Job = await cluster.client.resource(REFS.jobs).get(NS, name);
  const now = rfc3339(clock.now());
  const interim = type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
  const cond = (t: string) => ({ type: t, status: 'True', reason: type === 'Complete' ? 'CompletionsReached' : 'BackoffLimitExceeded', message: 'm', lastProbeTime: now, lastTransitionTime: now });
  const status = {
    ...job.status,
    startTime: job.status?.startTime ?? now,
    conditions: [cond(interim), cond(type)],
    ...(type === 'Complete' ? { completionTime: now, succeeded: 1 } : { failed: 1 }),
  };
  await cluster.client.resource(REFS.jobs).updateStatus(NS, { ...job, status });
}

async function cjEvents(): Promise<string[]> {
  return (await cluster.client.resource(REFS.events).list(NS)).items
    .filter((e) => e.involvedObject.kind === 'CronJob')
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e) => `${e.type} ${e.reason} ${e.message}`);
}

test('*/1 creates a Job each minute as the clock advances, with name, annotation, owner and status', async () => {
  await start();
  const cj = await create();
  await settle();
  assert.deepEqual(await jobNames(), []);
  await clock.advance(60_100);
  const [first] = await jobsWhen(1);
  assert.equal(first, nameAt('2026-01-01T00:01:00Z'));
  const job: Job = await cluster.client.resource(REFS.jobs).get(NS, first);
  assert.equal(job.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T00:01:00Z');
  assert.deepEqual(job.metadata!.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: cj.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
  const status = (await waitFor(async () => ((await getCJ()).status?.active?.length ? (await getCJ()).status : undefined), 'active'))!;
  assert.equal(status.lastScheduleTime, '2026-01-01T00:01:00Z');
  assert.deepEqual(status.active?.map((r) => r.name), [first]);
  await clock.advance(60_000);
  await jobsWhen(2);
  await clock.advance(60_000);
  assert.deepEqual(await jobsWhen(3), [nameAt('2026-01-01T00:01:00Z'), nameAt('2026-01-01T00:02:00Z'), nameAt('2026-01-01T00:03:00Z')]);
  const cur = await waitFor(async () => ((await getCJ()).status?.active?.length === 3 ? getCJ() : undefined), 'three active');
  assert.equal(cur!.status?.lastScheduleTime, '2026-01-01T00:03:00Z');

  await clock.advance(10_000);
  await finishJob(first, 'Complete');
  const done = await waitFor(async () => ((await getCJ()).status?.active?.length === 2 ? getCJ() : undefined), 'completed job leaves active');
  assert.equal(done!.status?.lastSuccessfulTime, '2026-01-01T00:03:10Z');
  await waitFor(async () => (await cjEvents()).includes(`Normal SawCompletedJob Saw completed job: ${first}, condition: Complete`), 'SawCompletedJob');
  assert.ok((await cjEvents()).includes(`Normal SuccessfulCreate Created job ${first}`));
});

test('Forbid skips a run while the previous Job is active; the missed run starts once it ends', async () => {
  await start();
  await create({ concurrencyPolicy: 'Forbid' });
  await clock.advance(60_100);
  const [first] = await jobsWhen(1);
  await waitFor(async () => (await getCJ()).status?.active?.length === 1, 'active');
  await clock.advance(60_000);
  await waitFor(async () => (await cjEvents()).includes('Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid'), 'JobAlreadyActive');
  assert.deepEqual(await jobNames(), [first]);
  await clock.advance(20_000);
  // With no startingDeadlineSeconds the 00:02 run is still due when the first Job ends.
  await finishJob(first, 'Complete');
  assert.deepEqual(await jobsWhen(2), [first, nameAt('2026-01-01T00:02:00Z')]);
});

test('Forbid with startingDeadlineSeconds drops the run that could not start in time', async () => {
  await start();
  await create({ concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 10 });
  await clock.advance(60_100);
  const [first] = await jobsWhen(1);
  await waitFor(async () => (await getCJ()).status?.active?.length === 1, 'active');
  await clock.advance(60_000 + 20_000);
  await finishJob(first, 'Complete');
  await waitFor(async () => !(await getCJ()).status?.active, 'inactive');
  await settle();
  assert.deepEqual(await jobNames(), [first]);
  await clock.advance(40_000);
  assert.deepEqual(await jobsWhen(2), [first, nameAt('2026-01-01T00:03:00Z')]);
});

test('Replace deletes the active Job and starts the new one', async () => {
  await start();
  await create({ concurrencyPolicy: 'Replace' });
  await clock.advance(60_100);
  const [first] = await jobsWhen(1);
  await waitFor(async () => (await getCJ()).status?.active?.length === 1, 'active');
  await clock.advance(60_000);
  const second = nameAt('2026-01-01T00:02:00Z');
  await waitFor(async () => (await jobNames()).join() === second, 'replaced');
  const cj = await waitFor(async () => ((await getCJ()).status?.active?.[0]?.name === second ? getCJ() : undefined), 'active is the new job');
  assert.equal(cj!.status?.active?.length, 1);
  assert.ok((await cjEvents()).includes(`Normal SuccessfulDelete Deleted job ${first}`));
});

test('history limits keep the newest successful and failed Jobs', async () => {
  await start();
  await create({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 });
  await clock.advance(100);
  for (let i = 0; i < 4; i++) {
    await clock.advance(60_000);
    const name = nameAt(new Date(Date.parse('2026-01-01T00:01:00Z') + i * 60_000).toISOString());
    await waitFor(async () => (await jobNames()).includes(name), name);
    await finishJob(name, i < 2 ? 'Complete' : 'Failed');
    await waitFor(async () => !(await getCJ()).status?.active, 'inactive');
  }
  await clock.advance(30_000); // any sync prunes
  await cluster.client.resource(REFS.cronjobs).patch(NS, 'hello', 'merge', { spec: { suspend: true } });
  await waitFor(async () => (await jobNames()).length === 2, 'pruned to 2');
  assert.deepEqual(await jobNames(), [nameAt('2026-01-01T00:02:00Z'), nameAt('2026-01-01T00:04:00Z')]);
  assert.ok((await cjEvents()).includes(`Normal SuccessfulDelete Deleted job ${nameAt('2026-01-01T00:01:00Z')}`));
});

test('suspend stops new Jobs; resuming without a deadline runs the missed schedule once', async () => {
  await start();
  await create({ suspend: true });
  await clock.advance(180_000);
  await settle();
  assert.deepEqual(await jobNames(), []);
  await cluster.client.resource(REFS.cronjobs).patch(NS, 'hello', 'merge', { spec: { suspend: false } });
  assert.deepEqual(await jobsWhen(1), [nameAt('2026-01-01T00:03:00Z')]);
});

test('@hourly with a timeZone runs on the hour, annotated in that zone', async () => {
  await start('2026-01-01T00:10:00Z');
  await create({ schedule: '@hourly', timeZone: 'Asia/Kolkata' }); // UTC+5:30: the hour falls on :30 UTC
  await clock.advance(19 * 60_000 + 100);
  await settle();
  assert.deepEqual(await jobNames(), []);
  await clock.advance(60_000);
  const [name] = await jobsWhen(1);
  assert.equal(name, nameAt('2026-01-01T00:30:00Z'));
  const job: Job = await cluster.client.resource(REFS.jobs).get(NS, name);
  assert.equal(job.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T06:00:00+05:30');
  await clock.advance(60 * 60_000);
  await jobsWhen(2);
});

test('startingDeadlineSeconds: a start later than the deadline is missed', async () => {
  await start();
  await create({ schedule: '0 * * * *', startingDeadlineSeconds: 10, suspend: true });
  await clock.advance(3_600_000 + 30_000);
  await cluster.client.resource(REFS.cronjobs).patch(NS, 'hello', 'merge', { spec: { suspend: false } });
  await settle(200);
  assert.deepEqual(await jobNames(), []);
});

test('more than 100 missed start times: a TooManyMissedTimes warning, and only the latest runs', async () => {
  await start();
  await create({ suspend: true });
  await clock.advance(3 * 3_600_000 + 30_000);
  await cluster.client.resource(REFS.cronjobs).patch(NS, 'hello', 'merge', { spec: { suspend: false } });
  assert.deepEqual(await jobsWhen(1), [nameAt('2026-01-01T03:00:00Z')]);
  await waitFor(async () => (await cjEvents()).includes('Warning TooManyMissedTimes too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew'), 'warning');
});

test('the API refuses CRON_TZ in the schedule; the timeZone field is the way', async () => {
  await start();
  await assert.rejects(create({ schedule: 'CRON_TZ=UTC 0 * * * *' }), /cannot use TZ or CRON_TZ in schedule, use timeZone field instead/);
});
