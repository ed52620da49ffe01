import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CronJob, Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Loose } from '../loose.js';
import { applyDefaults, generateJobSelector } from '../defaults/index.js';
import { validate } from './index.js';
import { messages } from '../../testing/validation.js';

/** A Job whose spec and template spec the cases change in place. */
type TestJob = { metadata: Loose<ObjectMeta>; spec: Loose<JobSpec> & { template: { spec: Loose<PodSpec> } } };

const job = (restartPolicy = 'Never'): TestJob => ({
  metadata: { name: 'pi', namespace: 'default', uid: '0b8a2f7e' },
  spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34' }], restartPolicy } } },
});

function created<T extends Loose<Job>>(j: T): T {
  applyDefaults('batch', 'Job', j);
  generateJobSelector(j);
  return j;
}

test('a Job with a generated selector is valid; restartPolicy Always is not', () => {
  assert.deepEqual(validate('batch', 'Job', created(job())), []);
  assert.deepEqual(validate('batch', 'Job', created(job('Always'))).map((e) => `${e.field}: ${e.message}`), [
    'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
  ]);
});

test('the generated labels must be present', () => {
  const j = created(job());
  j.spec.template.metadata!.labels!['controller-uid'] = 'other';
  assert.deepEqual(messages('batch', 'Job', j), [
    `spec.template.metadata.labels[controller-uid]: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"0b8a2f7e", "batch.kubernetes.io/job-name":"pi", "controller-uid":"other", "job-name":"pi"}: must be '0b8a2f7e'`,
  ]);
});

test('Job template and completions are immutable', () => {
  const old = created(job());
  const changed = structuredClone(old);
  changed.spec.completions = 3;
  changed.spec.template.spec.containers![0].image = 'perl:5.36';
  const errs = messages('batch', 'Job', changed, old);
  assert.equal(errs[0], 'spec.completions: Invalid value: 3: field is immutable');
  assert.match(errs[1], /^spec\.template: Invalid value: .*: field is immutable$/);
});

test('an Indexed Job may change completions only together with parallelism', () => {
  const old = job();
  Object.assign(old.spec, { completionMode: 'Indexed', completions: 3, parallelism: 3 });
  created(old);
  const scaled = structuredClone(old);
  Object.assign(scaled.spec, { completions: 5, parallelism: 5 });
  assert.deepEqual(messages('batch', 'Job', scaled, old), []);
  const alone = structuredClone(old);
  alone.spec.completions = 5;
  assert.deepEqual(messages('batch', 'Job', alone, old), ['spec.completions: Invalid value: 5: can only be modified in tandem with spec.parallelism']);
});

test('CronJob schedules', () => {
  const cron = (schedule: string, name = 'hello'): Loose<CronJob> => ({
    metadata: { name, namespace: 'default' },
    spec: { schedule, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1' }], restartPolicy: 'OnFailure' } } } } },
  });
  assert.deepEqual(messages('batch', 'CronJob', cron('*/1 * * * *')), []);
  assert.deepEqual(messages('batch', 'CronJob', cron('@hourly')), []);
  assert.deepEqual(messages('batch', 'CronJob', cron('')), ['spec.schedule: Required value']);
  assert.deepEqual(messages('batch', 'CronJob', cron('* * *')), ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]']);
  assert.deepEqual(messages('batch', 'CronJob', cron('61 * * * *')), ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']);
  assert.deepEqual(messages('batch', 'CronJob', cron('0 0 * JAN-MAR mon-fri')), []);
  assert.deepEqual(messages('batch', 'CronJob', cron('*/1 * * * *', 'a'.repeat(53))), [
    `metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`,
  ]);
});
