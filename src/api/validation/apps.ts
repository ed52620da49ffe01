// apps/v1 workloads: StatefulSet, Deployment, ReplicaSet, DaemonSet and ControllerRevision, create and update
// (pkg/apis/apps/validation plus the selector immutability the apps/v1 strategies add).
import type { ControllerRevision, DaemonSetSpec, DeploymentSpec, DeploymentStrategy, ReplicaSetSpec, RollingUpdateStatefulSetStrategy, StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec, StatefulSetUpdateStrategy } from 'kubernetes-types/apps/v1.js';
import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { Loose, StoredObject } from '../loose.js';
import { fieldForbidden, fieldNotSupported, fieldRequired } from '../../machinery/errors.js';
import { nameIsDNSLabel, nameIsDNSSubdomain } from '../../machinery/names.js';
import { deepEqual } from './equality.js';
import { child, intOrStringValue, invalid, invalidRendered, isSet, labelSelectorValue, nonNegative, obj, str, stringMap, type Errors } from './field.js';
import { isNotMoreThan100Percent, intOrPercentValue, validatePositiveIntOrPercent } from './intstr.js';
import { validateAnnotations, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePodTemplateSpec } from './pod.js';
import { selectorFailsToConvert, selectorIsEmpty, selectorMatches, validateLabelSelector, validateLabels } from './selector.js';

const templateLabels = (template: unknown) => obj(obj(template).metadata).labels as Record<string, string> | undefined;

/** The selector checks every workload shares: required, valid, non-empty, matching the template. */
function validateSelectorAndTemplate(spec: Loose<{ selector?: LabelSelector; template?: PodTemplateSpec }>, kindWord: string, path: string, convertDetail: string): { errs: Errors; converts: boolean } {
  const errs: Errors = [];
  if (!spec.selector) {
    errs.push(fieldRequired(child(path, 'selector')));
  } else {
    errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
    if (selectorIsEmpty(spec.selector)) errs.push(invalidRendered(child(path, 'selector'), labelSelectorValue(spec.selector), `empty selector is invalid for ${kindWord}`));
  }
  const converts = !selectorFailsToConvert(spec.selector);
  if (!converts) {
    errs.push(invalidRendered(child(path, 'selector'), labelSelectorValue(spec.selector), convertDetail));
  } else if (!selectorIsEmpty(spec.selector) && !selectorMatches(spec.selector, templateLabels(spec.template))) {
    errs.push(invalidRendered(child(path, 'template', 'metadata', 'labels'), stringMap(templateLabels(spec.template)), '`selector` does not match template `labels`'));
  }
  return { errs, converts };
}

/** Controllers of long-running pods: the template restarts Always and has no activeDeadlineSeconds. */
export function templateRestartRules(template: unknown, kind: string, path: string): Errors {
  const spec = obj(obj(template).spec);
  const errs: Errors = [];
  if (spec.restartPolicy !== 'Always') errs.push(fieldNotSupported(child(path, 'spec', 'restartPolicy'), spec.restartPolicy ?? '', ['Always']));
  if (isSet(spec.activeDeadlineSeconds)) errs.push(fieldForbidden(child(path, 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}

// %#v of the internal strategy types; pointers print as nil or, when set, by their value.
const rollingUpdateValue = (ru: Loose<RollingUpdateStatefulSetStrategy>) =>
  `apps.RollingUpdateStatefulSetStrategy{Partition:${Number(ru.partition ?? 0)}, MaxUnavailable:${isSet(ru.maxUnavailable) ? intOrStringValue(ru.maxUnavailable) : '(*intstr.IntOrString)(nil)'}}`;
const updateStrategyValue = (s: Loose<StatefulSetUpdateStrategy>) =>
  `apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(String(s.type ?? ''))}, RollingUpdate:${s.rollingUpdate ? rollingUpdateValue(s.rollingUpdate) : '(*apps.RollingUpdateStatefulSetStrategy)(nil)'}}`;

function validateRetentionPolicy(policy: Loose<StatefulSetPersistentVolumeClaimRetentionPolicy> | undefined, path: string): Errors {
  if (!policy) return [];
  return (['whenDeleted', 'whenScaled'] as const).flatMap((f) =>
    ['Retain', 'Delete'].includes(str(policy[f])) ? [] : [fieldNotSupported(child(path, f), policy[f] ?? '', ['Retain', 'Delete'])],
  );
}

function validateStatefulSetSpec(spec: Loose<StatefulSetSpec>): Errors {
  const errs: Errors = [];
  const pmp = spec.podManagementPolicy;
  if (!pmp) errs.push(fieldRequired('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const strategy = obj(spec.updateStrategy);
  const rollingUpdate = strategy.rollingUpdate;
  switch (strategy.type ?? '') {
    case '':
      errs.push(fieldRequired('spec.updateStrategy'));
      break;
    case 'OnDelete':
      if (rollingUpdate) errs.push(invalidRendered('spec.updateStrategy.rollingUpdate', rollingUpdateValue(rollingUpdate), "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (rollingUpdate) {
        errs.push(...nonNegative(rollingUpdate.partition ?? 0, 'spec.updateStrategy.rollingUpdate.partition'));
        if (isSet(rollingUpdate.maxUnavailable)) {
          const p = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
          errs.push(...validatePositiveIntOrPercent(rollingUpdate.maxUnavailable, p));
          if (intOrPercentValue(rollingUpdate.maxUnavailable) === 0) errs.push(invalid(p, rollingUpdate.maxUnavailable, 'cannot be 0'));
          errs.push(...isNotMoreThan100Percent(rollingUpdate.maxUnavailable, p));
        }
      }
      break;
    default:
      errs.push(invalidRendered('spec.updateStrategy', updateStrategyValue(strategy), "must be 'RollingUpdate' or 'OnDelete'"));
  }
  errs.push(...validateRetentionPolicy(spec.persistentVolumeClaimRetentionPolicy, 'spec.persistentVolumeClaimRetentionPolicy'));
  errs.push(...nonNegative(spec.replicas ?? 0, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  if (spec.ordinals) errs.push(...nonNegative(spec.ordinals.start ?? 0, 'spec.ordinals.start'));
  const { errs: selectorErrs, converts } = validateSelectorAndTemplate(spec, 'statefulset', 'spec', '');
  errs.push(...selectorErrs);
  // Upstream validates only the template's labels and annotations here, not its PodSpec: the volume
  // mounts may name claim templates that are not volumes yet.
  if (converts) {
    const meta = obj(obj(spec.template).metadata);
    errs.push(...validateLabels(meta.labels, 'spec.template.labels'), ...validateAnnotations(meta.annotations, 'spec.template.annotations'));
  }
  return [...errs, ...templateRestartRules(spec.template, 'StatefulSet', 'spec.template')];
}

export const validateStatefulSet = (sts: Loose<StatefulSet>): Errors => [
  ...validateObjectMeta(sts.metadata, true, nameIsDNSLabel),
  ...validateStatefulSetSpec(obj(sts.spec)),
];

const STS_MUTABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'];

export function validateStatefulSetUpdate(sts: Loose<StatefulSet>, old: Loose<StatefulSet>): Errors {
  const errs = [...validateObjectMetaUpdate(sts.metadata, old.metadata, true), ...validateStatefulSetSpec(obj(sts.spec))];
  const clone: Record<string, unknown> = { ...obj(sts.spec) };
  for (const f of STS_MUTABLE) clone[f] = obj(old.spec)[f];
  if (!deepEqual(clone, obj(old.spec))) {
    errs.push(fieldForbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet (used by ReplicaSet and Deployment). */
function validateReplicaSetLikeSpec(spec: Loose<DeploymentSpec | ReplicaSetSpec>, kindWord: string, kind: string): Errors {
  const errs = [...nonNegative(spec.replicas ?? 0, 'spec.replicas')];
  const { errs: selectorErrs, converts } = validateSelectorAndTemplate(spec, kindWord, 'spec', 'invalid label selector');
  errs.push(...selectorErrs);
  if (converts) errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'), ...templateRestartRules(spec.template, kind, 'spec.template'));
  return errs;
}

function validateDeploymentStrategy(strategy: Loose<DeploymentStrategy>): Errors {
  const path = 'spec.strategy';
  const rollingUpdate = strategy.rollingUpdate;
  switch (strategy.type) {
    case 'Recreate':
      return rollingUpdate ? [fieldForbidden(child(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      if (!rollingUpdate) return [fieldRequired(child(path, 'rollingUpdate'), 'this should be defaulted and never be nil')];
      const p = child(path, 'rollingUpdate');
      const errs = [
        ...validatePositiveIntOrPercent(rollingUpdate.maxUnavailable, child(p, 'maxUnavailable')),
        ...validatePositiveIntOrPercent(rollingUpdate.maxSurge, child(p, 'maxSurge')),
      ];
      if (intOrPercentValue(rollingUpdate.maxUnavailable) === 0 && intOrPercentValue(rollingUpdate.maxSurge) === 0) {
        errs.push(invalid(child(p, 'maxUnavailable'), rollingUpdate.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
      return [...errs, ...isNotMoreThan100Percent(rollingUpdate.maxUnavailable, child(p, 'maxUnavailable'))];
    }
    default:
      return [fieldNotSupported(path, strategy, ['Recreate', 'RollingUpdate'])];
  }
}

function validateDeploymentSpec(spec: Loose<DeploymentSpec>): Errors {
  const errs = validateReplicaSetLikeSpec(spec, 'deployment', 'ReplicaSet');
  errs.push(...validateDeploymentStrategy(obj(spec.strategy)));
  errs.push(...nonNegative(spec.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (isSet(spec.progressDeadlineSeconds)) {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

function validateReplicaSetSpec(spec: Loose<ReplicaSetSpec>): Errors {
  // "deployment" is what upstream says for an empty ReplicaSet selector too.
  return [...validateReplicaSetLikeSpec(spec, 'deployment', 'ReplicaSet'), ...nonNegative(spec.minReadySeconds ?? 0, 'spec.minReadySeconds')];
}

function validateDaemonSetSpec(spec: Loose<DaemonSetSpec>): Errors {
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  if (!selectorFailsToConvert(spec.selector) && !selectorMatches(spec.selector, templateLabels(spec.template))) {
    errs.push(invalidRendered('spec.template.metadata.labels', stringMap(templateLabels(spec.template)), '`selector` does not match template `labels`'));
  }
  if (spec.selector && selectorIsEmpty(spec.selector)) errs.push(invalidRendered('spec.selector', labelSelectorValue(spec.selector), 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'), ...templateRestartRules(spec.template, 'DaemonSet', 'spec.template'));
  errs.push(...nonNegative(spec.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  const strategy = obj(spec.updateStrategy);
  if (strategy.type === 'RollingUpdate') {
    const ru = strategy.rollingUpdate;
    if (!ru) {
      errs.push(fieldRequired('spec.updateStrategy.rollingUpdate'));
    } else {
      const p = 'spec.updateStrategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`), ...isNotMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const unavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const surge = intOrPercentValue(ru.maxSurge) !== 0;
      if (unavailable && surge) errs.push(invalid(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      if (!unavailable && !surge) errs.push(fieldRequired(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    }
  } else if (strategy.type !== 'OnDelete') {
    errs.push(fieldNotSupported('spec.updateStrategy', strategy, ['RollingUpdate', 'OnDelete']));
  }
  return [...errs, ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit')];
}

/** The kind picks the spec validator, so each takes its own spec type (a bivariant method parameter). */
type SpecValidator = { validate(spec: Loose<DeploymentSpec | ReplicaSetSpec | DaemonSetSpec>): Errors }['validate'];

const SPEC_VALIDATORS: Record<string, SpecValidator> = {
  Deployment: validateDeploymentSpec,
  ReplicaSet: validateReplicaSetSpec,
  DaemonSet: validateDaemonSetSpec,
};

export const validateSelectorWorkload = (kind: string, w: StoredObject): Errors => [
  ...validateObjectMeta(w.metadata, true, nameIsDNSSubdomain),
  ...SPEC_VALIDATORS[kind](obj(w.spec)),
];

/** Deployment, ReplicaSet and DaemonSet updates: the selector is immutable in apps/v1. */
export function validateSelectorWorkloadUpdate(kind: string, w: StoredObject, old: StoredObject): Errors {
  const errs = [...validateObjectMetaUpdate(w.metadata, old.metadata, true), ...SPEC_VALIDATORS[kind](obj(w.spec))];
  const selector = obj(w.spec).selector;
  if (!deepEqual(selector, obj(old.spec).selector)) errs.push(invalidRendered('spec.selector', labelSelectorValue(selector), 'field is immutable'));
  return errs;
}

export function validateControllerRevision(cr: Loose<ControllerRevision>): Errors {
  const errs = validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain);
  if (!isSet(cr.data)) errs.push(fieldRequired('data', 'data is mandatory'));
  return [...errs, ...nonNegative(cr.revision ?? 0, 'revision')];
}

export function validateControllerRevisionUpdate(cr: Loose<ControllerRevision>, old: Loose<ControllerRevision>): Errors {
  const errs = [...validateObjectMetaUpdate(cr.metadata, old.metadata, true), ...validateControllerRevision(cr)];
  if (!deepEqual(cr.data, old.data)) errs.push(invalid('data', cr.data ?? null, 'field is immutable'));
  return errs;
}

/** autoscaling/v1 Scale, as written through a scale subresource. */
export function validateScale(scale: Loose<Scale>): Errors {
  return [...validateObjectMeta(scale.metadata, true, nameIsDNSSubdomain), ...nonNegative(obj(scale.spec).replicas ?? 0, 'spec.replicas')];
}

