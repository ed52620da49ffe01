// policy/v1 PodDisruptionBudget (ValidatePodDisruptionBudgetSpec). Spec updates are allowed in policy/v1.
import type { PodDisruptionBudget, PodDisruptionBudgetSpec } from 'kubernetes-types/policy/v1.js';
import type { Loose } from '../loose.js';
import { fieldNotSupported } from '../../machinery/errors.js';
import { nameIsDNSSubdomain } from '../../machinery/names.js';
import { child, invalid, isSet, obj, str, type Errors } from './field.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from './intstr.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validateLabelSelector } from './selector.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

function validateSpec(spec: Loose<PodDisruptionBudgetSpec>): Errors {
  const path = 'spec';
  const errs: Errors = [];
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) {
    errs.push(invalid(path, spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable'] as const) {
    if (!isSet(spec[f])) continue;
    errs.push(...validatePositiveIntOrPercent(spec[f], child(path, f)), ...isNotMoreThan100Percent(spec[f], child(path, f)));
  }
  errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (isSet(policy) && !EVICTION_POLICIES.includes(str(policy))) errs.push(fieldNotSupported(child(path, 'unhealthyPodEvictionPolicy'), policy, EVICTION_POLICIES));
  return errs;
}

export const validatePodDisruptionBudget = (pdb: Loose<PodDisruptionBudget>): Errors => [
  ...validateObjectMeta(pdb.metadata, true, nameIsDNSSubdomain),
  ...validateSpec(obj(pdb.spec)),
];

export const validatePodDisruptionBudgetUpdate = (pdb: Loose<PodDisruptionBudget>, old: Loose<PodDisruptionBudget>): Errors => [
  ...validateObjectMetaUpdate(pdb.metadata, old.metadata, true),
  ...validateSpec(obj(pdb.spec)),
];
