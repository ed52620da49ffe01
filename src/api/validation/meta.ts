// ObjectMeta validation: ValidateObjectMeta / ValidateObjectMetaUpdate of pkg/apis/core/validation,
// which every built-in kind uses (apimachinery's checks plus the kube finalizer-name rule).
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Loose } from '../loose.js';
import { fieldForbidden, fieldRequired, fieldTooLong } from '../../machinery/errors.js';
import { isQualifiedName, nameIsDNSLabel, type NameValidator } from '../../machinery/names.js';
import { deepEqual } from './equality.js';
import { arr, child, each, goValue, index, invalid, isSet, nonNegative, obj, str, type Errors } from './field.js';
import { validateLabels } from './selector.js';

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateAnnotations(annotations: unknown, path: string): Errors {
  const errs: Errors = [];
  let size = 0;
  for (const [k, v] of Object.entries(obj(annotations))) {
    // Annotation keys are qualified names, case-insensitively.
    errs.push(...each(path, k, isQualifiedName(k.toLowerCase())));
    size += Buffer.byteLength(k) + Buffer.byteLength(str(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldTooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): Errors {
  const errs: Errors = [];
  let firstController = '';
  for (const ref of arr(refs)) {
    const apiVersion = str(ref.apiVersion);
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    if (!version) errs.push(invalid(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(child(path, 'kind'), str(ref.kind), 'must not be empty'));
    if (!ref.name) errs.push(invalid(child(path, 'name'), str(ref.name), 'must not be empty'));
    if (!ref.uid) errs.push(invalid(child(path, 'uid'), str(ref.uid), 'must not be empty'));
    if (apiVersion === 'v1' && ref.kind === 'Event') errs.push(invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): Errors {
  const list = arr<string>(finalizers);
  const errs: Errors = [];
  for (const f of list) errs.push(...each(path, f, isQualifiedName(str(f))));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  list.forEach((f, i) => errs.push(...validateKubeFinalizerName(str(f), index(path, i))));
  return errs;
}

/** A finalizer without a domain prefix must be one of the few standard ones. */
export function validateKubeFinalizerName(name: string, path: string): Errors {
  if (name.split('/').length === 1 && !STANDARD_FINALIZERS.has(name)) {
    return [invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified')];
  }
  return [];
}

/** The checks shared by create and update: labels, annotations, owners, finalizers, generation. */
function validateMetaCommon(meta: Loose<ObjectMeta>, namespaced: boolean, path: string): Errors {
  const errs: Errors = [];
  const namespace = str(meta.namespace);
  if (namespaced) {
    if (!namespace) errs.push(fieldRequired(child(path, 'namespace')));
    else errs.push(...each(child(path, 'namespace'), namespace, nameIsDNSLabel(namespace, false)));
  } else if (namespace) {
    errs.push(fieldForbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...nonNegative(meta.generation, child(path, 'generation')));
  errs.push(...validateLabels(meta.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, child(path, 'finalizers')));
  return errs;
}

export function validateObjectMeta(metadata: unknown, namespaced: boolean, nameFn: NameValidator, path = 'metadata'): Errors {
  const meta = obj(metadata);
  const errs: Errors = [];
  const name = str(meta.name);
  const generateName = str(meta.generateName);
  if (generateName) errs.push(...each(child(path, 'generateName'), generateName, nameFn(generateName, true)));
  if (name) errs.push(...each(child(path, 'name'), name, nameFn(name, false)));
  // Name generation happens before validation upstream; a generateName alone is not an error here.
  else if (!generateName) errs.push(fieldRequired(child(path, 'name'), 'name or generateName is required'));
  return [...errs, ...validateMetaCommon(meta, namespaced, path)];
}

const immutable = (path: string, value: unknown): Errors => [invalid(path, value, 'field is immutable')];

/**
 * ValidateObjectMetaUpdate, except the resourceVersion rule: whether an update without one is allowed
 * (unconditional update) is the registry's decision.
 */
export function validateObjectMetaUpdate(newMetadata: unknown, oldMetadata: unknown, namespaced: boolean, path = 'metadata'): Errors {
  const meta = obj(newMetadata);
  const old = obj(oldMetadata);
  const errs: Errors = [];
  if (old.deletionTimestamp) {
    const added = arr<string>(meta.finalizers).filter((f) => !arr(old.finalizers).includes(f));
    if (added.length > 0) {
      const list = [...new Set(added)].sort();
      errs.push(fieldForbidden(child(path, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${goValue(list)}`));
    }
  }
  if (typeof meta.generation === 'number' && meta.generation < (old.generation ?? 0)) {
    errs.push(invalid(child(path, 'generation'), meta.generation, 'must not be decremented'));
  }
  for (const field of ['name', 'namespace']) {
    if (str(meta[field]) !== str(old[field])) errs.push(...immutable(child(path, field), str(meta[field])));
  }
  // System fields a client left out are carried over from the stored object by the registry.
  for (const field of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    if (isSet(meta[field]) && !deepEqual(meta[field], old[field])) errs.push(...immutable(child(path, field), meta[field]));
  }
  return [...errs, ...validateMetaCommon(meta, namespaced, path)];
}
