// PriorityClass validation (pkg/apis/scheduling/validation): reserved system- names, the user value
// ceiling, the preemption policy, and value and preemptionPolicy fixed after creation.
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { Loose } from '../loose.js';
import { fieldForbidden, fieldNotSupported, fieldRequired } from '../../machinery/errors.js';
import { nameIsDNSSubdomain } from '../../machinery/names.js';
import { HIGHEST_USER_DEFINABLE_PRIORITY, notKnownSystemPriorityClass, PREEMPTION_POLICIES, SYSTEM_PRIORITY_CLASS_PREFIX } from '../scheduling/priorityclasses.js';
import { invalid, isSet, str, type Errors } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

/** ValidatePreemptionPolicy (core validation), shared with pods upstream. */
function validatePreemptionPolicy(policy: unknown, path: string): Errors {
  if (policy === '') return [fieldRequired(path)];
  return PREEMPTION_POLICIES.includes(str(policy)) ? [] : [fieldNotSupported(path, policy, PREEMPTION_POLICIES)];
}

// An int32 without omitempty: absent reads as 0, as Go decodes it.
const valueOf = (pc: Loose<PriorityClass>) => Number(pc.value ?? 0);

export function validatePriorityClass(pc: Loose<PriorityClass>): Errors {
  const errs = validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain);
  const name = str(pc.metadata?.name);
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const why = notKnownSystemPriorityClass(name, valueOf(pc), pc.globalDefault === true);
    if (why) errs.push(fieldForbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if (valueOf(pc) > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(fieldForbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (isSet(pc.preemptionPolicy)) errs.push(...validatePreemptionPolicy(pc.preemptionPolicy, 'preemptionPolicy'));
  return errs;
}

/** ValidatePriorityClassUpdate: the name is checked by the metadata rules; value and preemptionPolicy are fixed. */
export function validatePriorityClassUpdate(pc: Loose<PriorityClass>, old: Loose<PriorityClass>): Errors {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata, false);
  if (valueOf(pc) !== valueOf(old)) errs.push(fieldForbidden('value', 'may not be changed in an update.'));
  if ((pc.preemptionPolicy ?? null) !== (old.preemptionPolicy ?? null)) errs.push(invalid('preemptionPolicy', pc.preemptionPolicy ?? null, 'field is immutable'));
  return errs;
}
