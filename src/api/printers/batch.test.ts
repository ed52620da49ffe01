import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Loose } from '../loose.js';
import { cronJobPrinter, jobPrinter } from './batch.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

// Cases mirror upstream TestPrintJob (1.32 columns: STATUS COMPLETIONS DURATION AGE).
test('job completions, duration and status', () => {
  const running = { metadata: { name: 'job1', creationTimestamp: ago(60_000) }, spec: { completions: 2 }, status: { succeeded: 1, startTime: ago(30_000) } };
  assert.deepEqual(jobPrinter.cells(running, NOW).slice(0, 5), ['job1', 'Running', '1/2', '30s', '60s']);
  const complete = {
    metadata: { name: 'job2' },
    spec: { completions: 1 },
    status: { succeeded: 1, startTime: ago(20 * 60_000), completionTime: ago(10 * 60_000 + 1000), conditions: [{ type: 'Complete', status: 'True' }] },
  };
  assert.deepEqual(jobPrinter.cells(complete, NOW).slice(1, 4), ['Complete', '1/1', '9m59s']);
  const parallel = { metadata: { name: 'job3' }, spec: { parallelism: 3 }, status: {} };
  assert.deepEqual(jobPrinter.cells(parallel, NOW).slice(1, 4), ['Running', '0/1 of 3', '']);
  assert.equal(jobPrinter.cells({ metadata: { name: 'j' }, spec: { parallelism: 1 }, status: {} }, NOW)[2], '0/1');
  const status = (conditions: Loose<JobCondition[]>, deleting = false) =>
    jobPrinter.cells({ metadata: { name: 'j', ...(deleting ? { deletionTimestamp: ago(0) } : {}) }, spec: {}, status: { conditions } }, NOW)[1];
  assert.equal(status([{ type: 'Failed', status: 'True' }]), 'Failed');
  assert.equal(status([{ type: 'Suspended', status: 'True' }]), 'Suspended');
  assert.equal(status([{ type: 'Suspended', status: 'True' }], true), 'Terminating');
  assert.equal(status([{ type: 'FailureTarget', status: 'True' }]), 'FailureTarget');
  assert.equal(status([{ type: 'Complete', status: 'False' }]), 'Running');
});

test('job wide cells: containers, images, selector', () => {
  const job = {
    metadata: { name: 'pi' },
    spec: { completions: 1, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } }, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } } },
    status: {},
  };
  assert.deepEqual(jobPrinter.cells(job, NOW).slice(5), ['pi', 'perl', 'batch.kubernetes.io/controller-uid=abc']);
});

test('cronjob cells: schedule, timezone, suspend, active count, last schedule', () => {
  const cj = {
    metadata: { name: 'backup' },
    spec: { schedule: '0 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'b', image: 'busybox' }] } } } } },
    status: { active: [{ name: 'backup-1' }], lastScheduleTime: ago(5 * 60_000) },
  };
  assert.deepEqual(cronJobPrinter.cells(cj, NOW), ['backup', '0 * * * *', '<none>', 'False', 1, '5m', '<unknown>', 'b', 'busybox', '<none>']);
  const fresh = { metadata: { name: 'x' }, spec: { schedule: '@hourly', timeZone: 'Etc/UTC' }, status: {} };
  assert.deepEqual(cronJobPrinter.cells(fresh, NOW).slice(2, 6), ['Etc/UTC', '<unset>', 0, '<none>']);
});
