// core/v1 ReplicationController: ValidateReplicationController{,Update,Status} of pkg/apis/core/validation.
// Its selector is a plain label map: it must be non-empty and match the template's labels.
import type { ReplicationController, ReplicationControllerSpec, ReplicationControllerStatus } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { fieldRequired } from '../../machinery/errors.js';
import { nameIsDNSSubdomain } from '../../machinery/names.js';
import { templateRestartRules } from './apps.js';
import { child, invalid, invalidRendered, nonNegative, obj, stringMap, type Errors } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePodTemplateSpec } from './pod.js';

function validateSpec(spec: Loose<ReplicationControllerSpec>): Errors {
  const errs = [...nonNegative(spec.minReadySeconds ?? 0, 'spec.minReadySeconds')];
  const selector = obj(spec.selector) as Record<string, string>;
  const selectorEmpty = Object.keys(selector).length === 0;
  if (selectorEmpty) errs.push(fieldRequired('spec.selector', ''));
  errs.push(...nonNegative(spec.replicas ?? 0, 'spec.replicas'));
  const template = spec.template;
  if (!template) return [...errs, fieldRequired('spec.template', '')];
  const labels = obj(obj(template).metadata).labels as Record<string, string> | undefined;
  if (!selectorEmpty && !Object.entries(selector).every(([k, v]) => labels?.[k] === v)) {
    errs.push(invalidRendered('spec.template.metadata.labels', stringMap(labels), '`selector` does not match template `labels`'));
  }
  return [...errs, ...validatePodTemplateSpec(template, 'spec.template'), ...templateRestartRules(template, 'ReplicationController', 'spec.template')];
}

type Count = 'replicas' | 'fullyLabeledReplicas' | 'readyReplicas' | 'availableReplicas' | 'observedGeneration';

function validateStatus(status: Loose<ReplicationControllerStatus>): Errors {
  const path = (f: Count) => child('status', f);
  const n = (f: Count): number => status[f] ?? 0;
  const errs = (['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const).flatMap((f) => nonNegative(n(f), path(f)));
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const) {
    if (n(f) > n('replicas')) errs.push(invalid(path(f), n(f), 'cannot be greater than status.replicas'));
  }
  if (n('availableReplicas') > n('readyReplicas')) errs.push(invalid(path('availableReplicas'), n('availableReplicas'), 'cannot be greater than readyReplicas'));
  return errs;
}

export const validateReplicationController = (rc: Loose<ReplicationController>): Errors => [...validateObjectMeta(rc.metadata, true, nameIsDNSSubdomain), ...validateSpec(obj(rc.spec))];

export const validateReplicationControllerUpdate = (rc: Loose<ReplicationController>, old: Loose<ReplicationController>): Errors => [
  ...validateObjectMetaUpdate(rc.metadata, old.metadata, true),
  ...validateSpec(obj(rc.spec)),
  ...validateStatus(obj(rc.status)),
];
