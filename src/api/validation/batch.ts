// batch/v1 Job and CronJob (pkg/apis/batch/validation), create and update.
import type { CronJob, CronJobSpec, Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Loose } from '../loose.js';
import { fieldNotSupported, fieldRequired } from '../../machinery/errors.js';
import { isDNS1123Label, nameIsDNSSubdomain } from '../../machinery/names.js';
import { CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from '../defaults/job-selector.js';
import { cronScheduleError } from './cron.js';
import { deepEqual } from './equality.js';
import { arr, child, invalid, invalidOmitValue, invalidRendered, isSet, labelSelectorValue, nonNegative, obj, stringMap, str, type Errors } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePodTemplateSpec } from './pod.js';
import { selectorFailsToConvert, selectorMatches, validateLabelSelector } from './selector.js';

const MAX_PARALLELISM_INDEXED = 100000;
const REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];
const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];

function validateHasLabel(meta: Loose<ObjectMeta>, path: string, label: string, expected: string): Errors {
  const labels = obj(meta.labels);
  if (!(label in labels)) return [fieldRequired(`${path}.labels[${label}]`, `must be '${expected}'`)];
  return labels[label] === expected ? [] : [invalidRendered(`${path}.labels[${label}]`, stringMap(labels), `must be '${expected}'`)];
}

function validateGeneratedSelector(job: Loose<Job>, requirePrefixedLabels: boolean): Errors {
  const spec = obj(job.spec);
  if (spec.manualSelector === true || !spec.selector) return [];
  const meta = obj(job.metadata);
  const uid = str(meta.uid);
  const name = str(meta.name);
  const errs: Errors = uid ? [] : [fieldRequired('metadata.uid')];
  const templateMeta = obj(obj(spec.template).metadata);
  const expected: Record<string, string> = { [LEGACY_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name };
  if (requirePrefixedLabels) Object.assign(expected, { [CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name });
  for (const [label, value] of Object.entries(expected)) errs.push(...validateHasLabel(templateMeta, 'spec.template.metadata', label, value));
  if (!selectorFailsToConvert(spec.selector) && !selectorMatches(spec.selector, expected)) {
    errs.push(invalidRendered('spec.selector', labelSelectorValue(spec.selector), '`selector` not auto-generated'));
  }
  return errs;
}

function validatePodFailurePolicy(spec: Loose<JobSpec>, path: string): Errors {
  const errs: Errors = [];
  const containers = new Set([...arr(obj(obj(spec.template).spec).containers), ...arr(obj(obj(spec.template).spec).initContainers)].map((c) => str(c.name)));
  arr(obj(spec.podFailurePolicy).rules).forEach((rule, i) => {
    const p = `${path}.rules[${i}]`;
    if (!rule.action) errs.push(fieldRequired(`${p}.action`, 'valid values: ["Count" "FailIndex" "FailJob" "Ignore"]'));
    else if (rule.action === 'FailIndex' && !isSet(spec.backoffLimitPerIndex)) errs.push(invalid(`${p}.action`, rule.action, 'requires the backoffLimitPerIndex to be set'));
    else if (!['Count', 'FailIndex', 'FailJob', 'Ignore'].includes(rule.action)) errs.push(fieldNotSupported(`${p}.action`, rule.action, ['Count', 'FailIndex', 'FailJob', 'Ignore']));
    const onExit = rule.onExitCodes;
    if (onExit?.containerName && !containers.has(onExit.containerName)) {
      errs.push(invalid(`${p}.onExitCodes.containerName`, onExit.containerName, 'must be one of the container or initContainer names in the pod template'));
    }
    const hasConditions = arr(rule.onPodConditions).length > 0;
    if (onExit && hasConditions) errs.push(invalidOmitValue(p, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!onExit && !hasConditions) errs.push(invalidOmitValue(p, 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return errs;
}

function validateJobSpecCommon(spec: Loose<JobSpec>, path: string): Errors {
  const errs: Errors = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
    errs.push(...nonNegative(spec[f], child(path, f)));
  }
  if (isSet(spec.maxFailedIndexes) && !isSet(spec.backoffLimitPerIndex)) errs.push(fieldRequired(child(path, 'backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  const mode = spec.completionMode;
  if (isSet(mode) && mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(fieldNotSupported(child(path, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed') {
    if (!isSet(spec.completions)) errs.push(fieldRequired(child(path, 'completions'), 'when completion mode is Indexed'));
    if ((spec.parallelism ?? 0) > MAX_PARALLELISM_INDEXED) {
      errs.push(invalid(child(path, 'parallelism'), spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
    }
  } else {
    if (isSet(spec.backoffLimitPerIndex)) errs.push(invalid(child(path, 'backoffLimitPerIndex'), spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (isSet(spec.maxFailedIndexes)) errs.push(invalid(child(path, 'maxFailedIndexes'), spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (spec.podFailurePolicy) errs.push(...validatePodFailurePolicy(spec, child(path, 'podFailurePolicy')));
  const replacement = spec.podReplacementPolicy;
  if (isSet(replacement)) {
    const allowed = spec.podFailurePolicy ? ['Failed'] : REPLACEMENT_POLICIES;
    if (!allowed.includes(replacement)) errs.push(fieldNotSupported(child(path, 'podReplacementPolicy'), replacement, allowed));
  }
  errs.push(...validatePodTemplateSpec(spec.template, child(path, 'template')));
  const restart = obj(obj(spec.template).spec).restartPolicy;
  const restartPath = child(path, 'template', 'spec', 'restartPolicy');
  if (!restart || restart === 'Always') errs.push(fieldRequired(restartPath, 'valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never') errs.push(fieldNotSupported(restartPath, restart, ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy && restart !== 'Never') errs.push(invalid(restartPath, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

function validateJobSpec(spec: Loose<JobSpec>): Errors {
  const errs = validateJobSpecCommon(spec, 'spec');
  if (!spec.selector) errs.push(fieldRequired('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const labels = obj(obj(spec.template).metadata).labels;
  if (!selectorFailsToConvert(spec.selector) && !selectorMatches(spec.selector, labels)) {
    errs.push(invalidRendered('spec.template.metadata.labels', stringMap(labels), '`selector` does not match template `labels`'));
  }
  return errs;
}

function validateJobWith(job: Loose<Job>, requirePrefixedLabels: boolean): Errors {
  const errs = validateObjectMeta(job.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateGeneratedSelector(job, requirePrefixedLabels), ...validateJobSpec(obj(job.spec)));
  const spec = obj(job.spec);
  if (spec.completionMode === 'Indexed' && spec.completions > 0) {
    const name = str(obj(job.metadata).name);
    const hostname = `${name}-${spec.completions - 1}`;
    if (isDNS1123Label(hostname).length > 0) {
      errs.push(invalid('metadata.name', name, `will not able to create pod with invalid DNS label: ${hostname}`));
    }
  }
  return errs;
}

export const validateJob = (job: Loose<Job>): Errors => validateJobWith(job, true);

const SCHEDULING_TEMPLATE_FIELDS = ['nodeSelector', 'tolerations', 'schedulingGates'];

export function validateJobUpdate(job: Loose<Job>, old: Loose<Job>): Errors {
  const oldLabels = obj(obj(obj(old.spec).template).metadata).labels ?? {};
  const errs = [...validateObjectMetaUpdate(job.metadata, old.metadata, true), ...validateJobWith(job, CONTROLLER_UID_LABEL in oldLabels)];
  const spec = obj(job.spec);
  const oldSpec = obj(old.spec);
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex']) {
    if (!deepEqual(spec[f], oldSpec[f])) errs.push(invalid(`spec.${f}`, spec[f] ?? null, 'field is immutable'));
  }
  // Indexed Jobs are elastic (ElasticIndexedJob is GA): completions may follow parallelism.
  if (!deepEqual(spec.completions, oldSpec.completions)) {
    if (spec.completionMode !== 'Indexed') errs.push(invalid('spec.completions', spec.completions ?? null, 'field is immutable'));
    else if (isSet(spec.completions) && spec.completions !== spec.parallelism) {
      errs.push(invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
    }
  }
  if (!deepEqual(spec.selector, oldSpec.selector)) errs.push(invalidRendered('spec.selector', labelSelectorValue(spec.selector), 'field is immutable'));
  // A suspended Job that never started may still have its scheduling directives changed.
  const mutableScheduling = oldSpec.suspend === true && !obj(old.status).startTime;
  const template = obj(spec.template);
  let oldTemplate = obj(oldSpec.template);
  if (mutableScheduling) {
    const oldPodSpec: Record<string, unknown> = { ...obj(oldTemplate.spec) };
    for (const f of SCHEDULING_TEMPLATE_FIELDS) oldPodSpec[f] = obj(template.spec)[f];
    oldPodSpec.affinity = { ...obj(oldPodSpec.affinity), nodeAffinity: obj(obj(template.spec).affinity).nodeAffinity };
    oldTemplate = { ...oldTemplate, metadata: { ...obj(oldTemplate.metadata), labels: obj(template.metadata).labels, annotations: obj(template.metadata).annotations }, spec: oldPodSpec };
  }
  if (!deepEqual(template, oldTemplate)) errs.push(invalid('spec.template', template, 'field is immutable'));
  return errs;
}

const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateTimeZone(tz: unknown, path: string): Errors {
  if (!isSet(tz)) return [];
  const zone = str(tz);
  if (!zone) return [invalid(path, zone, 'timeZone must be nil or non-empty string')];
  if (zone.split('/').some((part) => part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part))) {
    return [invalid(path, zone, `unknown time zone ${zone}`)];
  }
  if (zone.toLowerCase() === 'local') return [invalid(path, zone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return [invalid(path, zone, `unknown time zone ${zone}`)];
  }
  return [];
}

function validateCronJobSpec(spec: Loose<CronJobSpec>, oldSpec: Loose<CronJobSpec> | undefined): Errors {
  const errs: Errors = [];
  const schedule = str(spec.schedule);
  if (!schedule) {
    errs.push(fieldRequired('spec.schedule'));
  } else {
    const problem = cronScheduleError(schedule);
    if (problem) errs.push(invalid('spec.schedule', schedule, problem));
    const allowTZ = str(oldSpec?.schedule).includes('TZ');
    if (allowTZ && schedule.includes('TZ') && isSet(spec.timeZone)) errs.push(invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    else if (!allowTZ && schedule.includes('TZ')) errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!oldSpec || !deepEqual(oldSpec.timeZone, spec.timeZone)) errs.push(...validateTimeZone(spec.timeZone, 'spec.timeZone'));
  const policy = spec.concurrencyPolicy;
  if (!policy) errs.push(fieldRequired('spec.concurrencyPolicy'));
  else if (!CONCURRENCY_POLICIES.includes(policy)) errs.push(fieldNotSupported('spec.concurrencyPolicy', policy, CONCURRENCY_POLICIES));
  const jobSpec = obj(obj(spec.jobTemplate).spec);
  errs.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec.selector) errs.push(invalidRendered('spec.jobTemplate.spec.selector', labelSelectorValue(jobSpec.selector), '`selector` will be auto-generated'));
  if (jobSpec.manualSelector === true) errs.push(fieldNotSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

export function validateCronJob(cj: Loose<CronJob>): Errors {
  const errs = [...validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain), ...validateCronJobSpec(obj(cj.spec), undefined)];
  const name = str(obj(cj.metadata).name);
  // The controller appends an 11-character suffix to name its Jobs, which are limited to 63.
  if (name.length > 52) errs.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
  return errs;
}

export const validateCronJobUpdate = (cj: Loose<CronJob>, old: Loose<CronJob>): Errors => [
  ...validateObjectMetaUpdate(cj.metadata, old.metadata, true),
  ...validateCronJobSpec(obj(cj.spec), obj(old.spec)),
];

