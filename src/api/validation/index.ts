// validate / validateUpdate: per-kind validation with the field paths and message texts of v1.32.
// Objects are expected to be defaulted first (applyDefaults), as upstream validates decoded, defaulted objects.
import type { FieldError } from '../../machinery/errors.js';
import type { StoredObject } from '../loose.js';
import { isValidPathSegmentName } from '../../machinery/names.js';
import { RESOURCES } from '../resources.js';
import { validateAPIService, validateAPIServiceUpdate } from './apiservice.js';
import * as apps from './apps.js';
import * as batch from './batch.js';
import * as core from './core.js';
import { each, obj, str, type Errors } from './field.js';
import * as networking from './networking.js';
import { validatePod, validatePodUpdate } from './pod.js';
import { validatePodDisruptionBudget, validatePodDisruptionBudgetUpdate } from './policy.js';
import { validatePriorityClass, validatePriorityClassUpdate } from './priorityclass.js';
import { validateRuntimeClass, validateRuntimeClassUpdate } from './runtimeclass.js';
import * as rbac from './rbac.js';
import { validateReplicationController, validateReplicationControllerUpdate } from './replicationcontroller.js';
import { validateEndpointSlice, validateEndpointSliceUpdate, validateEndpoints, validateService, validateServiceUpdate } from './service.js';
import * as storage from './storage.js';
import { validateObjectMetaUpdate } from './meta.js';

/** The object's kind picks the rules, so each validator may take its own kind's type (bivariant method parameters). */
interface KindValidation {
  create(obj: StoredObject): Errors;
  update?(obj: StoredObject, old: StoredObject): Errors;
}

/** Kinds whose update rules are only the metadata ones plus re-validating the object. */
const revalidate = (create: KindValidation['create'], namespaced: boolean): KindValidation => ({
  create,
  update: (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata, namespaced), ...create(o)],
});

const workload = (kind: string): KindValidation => ({
  create: (o) => apps.validateSelectorWorkload(kind, o),
  update: (o, old) => apps.validateSelectorWorkloadUpdate(kind, o, old),
});

const KINDS: Record<string, KindValidation> = {
  '/Pod': { create: validatePod, update: validatePodUpdate },
  '/Service': { create: validateService, update: validateServiceUpdate },
  '/Endpoints': revalidate(validateEndpoints, true),
  '/ConfigMap': { create: core.validateConfigMap, update: core.validateConfigMapUpdate },
  '/Secret': { create: core.validateSecret, update: core.validateSecretUpdate },
  '/ServiceAccount': revalidate(core.validateServiceAccount, true),
  '/Namespace': { create: core.validateNamespace, update: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata, false) },
  '/Node': { create: core.validateNode, update: core.validateNodeUpdate },
  '/PersistentVolume': { create: storage.validatePersistentVolume, update: storage.validatePersistentVolumeUpdate },
  '/PersistentVolumeClaim': { create: storage.validatePersistentVolumeClaim, update: storage.validatePersistentVolumeClaimUpdate },
  '/Event': { create: core.validateEvent, update: core.validateEvent },
  '/Binding': { create: core.validateBinding },
  '/ReplicationController': { create: validateReplicationController, update: validateReplicationControllerUpdate },
  'apps/StatefulSet': { create: apps.validateStatefulSet, update: apps.validateStatefulSetUpdate },
  'apps/Deployment': workload('Deployment'),
  'apps/ReplicaSet': workload('ReplicaSet'),
  'apps/DaemonSet': workload('DaemonSet'),
  'apps/ControllerRevision': { create: apps.validateControllerRevision, update: apps.validateControllerRevisionUpdate },
  'autoscaling/Scale': { create: apps.validateScale, update: apps.validateScale },
  'batch/Job': { create: batch.validateJob, update: batch.validateJobUpdate },
  'batch/CronJob': { create: batch.validateCronJob, update: batch.validateCronJobUpdate },
  'apiregistration.k8s.io/APIService': { create: validateAPIService, update: validateAPIServiceUpdate },
  'policy/PodDisruptionBudget': { create: validatePodDisruptionBudget, update: validatePodDisruptionBudgetUpdate },
  'scheduling.k8s.io/PriorityClass': { create: validatePriorityClass, update: validatePriorityClassUpdate },
  'node.k8s.io/RuntimeClass': { create: validateRuntimeClass, update: validateRuntimeClassUpdate },
  'coordination.k8s.io/Lease': revalidate(core.validateLease, true),
  'storage.k8s.io/StorageClass': { create: storage.validateStorageClass, update: storage.validateStorageClassUpdate },
  'discovery.k8s.io/EndpointSlice': { create: validateEndpointSlice, update: validateEndpointSliceUpdate },
  'networking.k8s.io/Ingress': { create: networking.validateIngress, update: networking.validateIngressUpdate },
  'networking.k8s.io/IngressClass': { create: networking.validateIngressClass, update: networking.validateIngressClassUpdate },
  'rbac.authorization.k8s.io/Role': { create: (o: rbac.AnyRole) => rbac.validateRole(o, true), update: (o: rbac.AnyRole, old: rbac.AnyRole) => rbac.validateRoleUpdate(o, old, true) },
  'rbac.authorization.k8s.io/ClusterRole': { create: (o: rbac.AnyRole) => rbac.validateRole(o, false), update: (o: rbac.AnyRole, old: rbac.AnyRole) => rbac.validateRoleUpdate(o, old, false) },
  'rbac.authorization.k8s.io/RoleBinding': { create: (o: rbac.AnyBinding) => rbac.validateBinding(o, true), update: (o: rbac.AnyBinding, old: rbac.AnyBinding) => rbac.validateBindingUpdate(o, old, true) },
  'rbac.authorization.k8s.io/ClusterRoleBinding': {
    create: (o: rbac.AnyBinding) => rbac.validateBinding(o, false),
    update: (o: rbac.AnyBinding, old: rbac.AnyBinding) => rbac.validateBindingUpdate(o, old, false),
  },
};

const isNamespaced = (group: string, kind: string) => RESOURCES.find((r) => r.group === group && r.kind === kind)?.namespaced ?? true;

/**
 * After the kind's own rules pass, every object's name must also be usable as a URL path segment
 * (rest.BeforeCreate/BeforeUpdate). Duplicate errors are dropped, as the Status message does upstream.
 */
function finish(errs: Errors, o: StoredObject): FieldError[] {
  if (errs.length === 0) {
    const name = str(obj(o.metadata).name);
    return name ? each('metadata.name', name, isValidPathSegmentName(name)) : [];
  }
  const seen = new Set<string>();
  return errs.filter((e) => {
    const id = `${e.field}\u0000${e.message}`;
    return !seen.has(id) && seen.add(id);
  });
}

export function validate(group: string, kind: string, o: StoredObject, old?: StoredObject): FieldError[] {
  if (old !== undefined) return validateUpdate(group, kind, o, old);
  const rules = KINDS[`${group}/${kind}`];
  return finish(rules ? rules.create(o) : [], o);
}

export function validateUpdate(group: string, kind: string, o: StoredObject, old: StoredObject): FieldError[] {
  const rules = KINDS[`${group}/${kind}`];
  if (!rules) return finish([], o);
  const update = rules.update ?? revalidate(rules.create, isNamespaced(group, kind)).update!;
  return finish(update(o, old), o);
}
