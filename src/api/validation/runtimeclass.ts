// RuntimeClass validation (pkg/apis/node/validation): the handler is a DNS label fixed after creation;
// scheduling's node selector is a label set and its tolerations are pod tolerations.
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { Loose } from '../loose.js';
import { fieldInvalid, fieldRequired } from '../../machinery/errors.js';
import { isDNS1123Label, nameIsDNSSubdomain } from '../../machinery/names.js';
import { invalid, str, type Errors } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validateTolerations } from './scheduling.js';
import { validateLabels } from './selector.js';

export function validateRuntimeClass(rc: Loose<RuntimeClass>): Errors {
  const errs = validateObjectMeta(rc.metadata, false, nameIsDNSSubdomain);
  const handler = str(rc.handler);
  if (!handler) errs.push(fieldRequired('handler'));
  else for (const msg of isDNS1123Label(handler)) errs.push(fieldInvalid('handler', handler, msg));
  if (rc.scheduling) {
    errs.push(...validateLabels(rc.scheduling.nodeSelector, 'scheduling.nodeSelector'));
    errs.push(...validateTolerations(rc.scheduling.tolerations, 'scheduling.tolerations'));
  }
  return errs;
}

export function validateRuntimeClassUpdate(rc: Loose<RuntimeClass>, old: Loose<RuntimeClass>): Errors {
  const errs = validateObjectMetaUpdate(rc.metadata, old.metadata, false);
  if (rc.handler !== old.handler) errs.push(invalid('handler', rc.handler ?? null, 'field is immutable'));
  return errs;
}
