import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { firstPendingIndexes, formatIndexes, getCompletionIndex, invalidIndexPods, parseIndexes } from './indexed_job_utils.js';

const pod = (ix: string | undefined): Pod => ({ metadata: { annotations: ix === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': ix } } });
const job: Job = { spec: { completions: 6, completionMode: 'Indexed', template: {} } };

test('completedIndexes intervals round-trip, dropping indexes beyond completions', () => {
  assert.equal(formatIndexes([5, 0, 1, 2, 4]), '0-2,4-5');
  assert.equal(formatIndexes([]), '');
  assert.deepEqual([...parseIndexes('0-2,4,7-9', 8)].sort(), [0, 1, 2, 4, 7]);
});

test('the completion index annotation, and what is not one', () => {
  assert.equal(getCompletionIndex(pod('3')), 3);
  assert.equal(getCompletionIndex(pod('-1')), -1);
  assert.equal(getCompletionIndex(pod('x')), -1);
  assert.equal(getCompletionIndex(pod(undefined)), -1);
});

test('pending indexes skip succeeded and running ones; invalid and duplicate indexes are removed', () => {
  assert.deepEqual(firstPendingIndexes(job, [pod('1'), pod('3')], new Set([0]), 3), [2, 4, 5]);
  const pods = [pod('1'), pod('1'), pod('7'), pod(undefined), pod('0'), pod('2')];
  assert.deepEqual(invalidIndexPods(job, pods, new Set([0])), [pods[1], pods[2], pods[3], pods[4]]);
});
