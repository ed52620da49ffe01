import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import { parseStandard } from './cron_schedule.js';
import { formatRFC3339InZone, getJobFromTemplate, getJobName, mostRecentScheduleTime, nextScheduleTimeDuration } from './cronjob_utils.js';

const at = (s: string) => Date.parse(s);
const cronJob = (spec: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob => ({
  metadata: { name: 'hello', namespace: 'default', uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { schedule: '*/1 * * * *', jobTemplate: { metadata: { labels: { a: 'b' } }, spec: { template: { spec: { containers: [] } } } }, ...spec },
  status,
});

test('mostRecentScheduleTime: none yet, one due, several missed, too many missed', () => {
  const s = parseStandard('*/1 * * * *');
  assert.equal(mostRecentScheduleTime(cronJob(), at('2026-01-01T00:00:30Z'), s, true).mostRecent, undefined);
  assert.equal(mostRecentScheduleTime(cronJob(), at('2026-01-01T00:01:00.1Z'), s, true).mostRecent, at('2026-01-01T00:01:00Z'));
  const few = mostRecentScheduleTime(cronJob(), at('2026-01-01T00:05:30Z'), s, true);
  assert.equal(few.mostRecent, at('2026-01-01T00:05:00Z'));
  assert.equal(few.missed, 'few');
  const many = mostRecentScheduleTime(cronJob(), at('2026-01-01T03:00:00Z'), s, true);
  assert.equal(many.missed, 'many');
  assert.equal(many.mostRecent, at('2026-01-01T03:00:00Z'));
  // startingDeadlineSeconds bounds how far back the controller looks.
  const bounded = mostRecentScheduleTime(cronJob({ startingDeadlineSeconds: 200 }), at('2026-01-01T03:00:00Z'), s, true);
  assert.equal(bounded.missed, 'few');
});

test('nextScheduleTimeDuration is 100 ms after the next schedule time', () => {
  const s = parseStandard('@hourly');
  assert.equal(nextScheduleTimeDuration(cronJob({ schedule: '@hourly' }), at('2026-01-01T00:10:00Z'), s), 50 * 60_000 + 100);
  const after = cronJob({ schedule: '@hourly' }, { lastScheduleTime: '2026-01-01T01:00:00Z' });
  assert.equal(nextScheduleTimeDuration(after, at('2026-01-01T01:00:05Z'), s), 3_595_000 + 100);
});

test('job name and scheduled-timestamp annotation (in the CronJob time zone)', () => {
  const t = at('2026-01-01T00:01:00Z');
  assert.equal(getJobName(cronJob(), t), `hello-${t / 60_000}`);
  const job = getJobFromTemplate(cronJob({ timeZone: 'Asia/Tokyo' }), t);
  assert.equal(job.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T09:01:00+09:00');
  assert.deepEqual(job.metadata!.labels, { a: 'b' });
  assert.deepEqual(job.metadata!.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
  assert.equal(formatRFC3339InZone(t, 'UTC'), '2026-01-01T00:01:00Z');
  assert.equal(formatRFC3339InZone(t, 'America/St_Johns'), '2025-12-31T20:31:00-03:30');
});
