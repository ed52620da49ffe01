// generateSelector from pkg/registry/batch/job/strategy.go. Upstream runs it while creating a Job whose
// spec.manualSelector is not true, after the UID is assigned and before validation.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Loose } from '../loose.js';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';

export function generateJobSelector(job: Loose<Job>): void {
  const spec = (job.spec ??= {});
  if (spec.manualSelector === true) return;
  const name = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  const template = (spec.template ??= {});
  const labels = ((template.metadata ??= {}).labels ??= {});
  // Labels the user already set are kept; a conflict is rejected by validation.
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= name;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[key] ??= uid;
  const matchLabels = ((spec.selector ??= {}).matchLabels ??= {});
  matchLabels[CONTROLLER_UID_LABEL] ??= uid;
}
