// PersistentVolumeClaim, PersistentVolume and StorageClass validation, including the PVC update rules.
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, TypedLocalObjectReference } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Loose } from '../loose.js';
import { fieldForbidden, fieldNotSupported, fieldRequired, fieldTooLong } from '../../machinery/errors.js';
import { isDNS1123Subdomain, isQualifiedName, nameIsDNSSubdomain } from '../../machinery/names.js';
import { compareQuantity, toQuantity } from '../../machinery/quantity.js';
import { deepEqual, describeDiff } from './equality.js';
import { arr, child, each, invalid, isSet, key, notSupportedRendered, obj, str, type Errors } from './field.js';
import { validateName } from './formats.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { readQuantity, validatePositiveQuantity, validateResourceQuantityValue } from './resources.js';
import { validateNodeSelector } from './scheduling.js';
import { validateLabelSelector } from './selector.js';
import { validatePathNoBacksteps } from './volume.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const PV_RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
// PersistentVolumeSource members: a PV must name exactly one.
const PV_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi',
  'cinder', 'fc', 'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'scaleIO',
  'local', 'storageos', 'csi',
];

function validateAccessModes(modes: unknown, path: string, requiredDetail: string): Errors {
  const list = arr<string>(modes);
  const errs: Errors = list.length === 0 ? [fieldRequired(path, requiredDetail)] : [];
  for (const m of list) if (!ACCESS_MODES.includes(m)) errs.push(fieldNotSupported(path, m, ACCESS_MODES));
  if (list.includes('ReadWriteOncePod') && list.some((m) => m !== 'ReadWriteOncePod' && ACCESS_MODES.includes(m))) {
    errs.push(fieldForbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

function validateDataSource(ds: Loose<TypedLocalObjectReference>, path: string): Errors {
  const errs: Errors = [];
  if (!ds.name) errs.push(fieldRequired(child(path, 'name')));
  if (!ds.kind) errs.push(fieldRequired(child(path, 'kind')));
  const group = str(ds.apiGroup);
  if (!group && ds.kind !== 'PersistentVolumeClaim') errs.push(invalid(path, str(ds.kind), "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (group) errs.push(...each(child(path, 'apiGroup'), group, isDNS1123Subdomain(group)));
  return errs;
}

export function validatePersistentVolumeClaimSpec(spec: Loose<PersistentVolumeClaimSpec>, path: string): Errors {
  const errs = validateAccessModes(spec.accessModes, child(path, 'accessModes'), 'at least 1 access mode is required');
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  const storagePath = key(child(path, 'resources'), 'storage');
  const raw = obj(obj(spec.resources).requests).storage;
  if (!isSet(raw)) {
    errs.push(fieldRequired(storagePath));
  } else {
    const q = readQuantity(raw, storagePath, errs);
    if (q) {
      const positive = validatePositiveQuantity(q, storagePath);
      errs.push(...(positive.length > 0 ? positive : validateResourceQuantityValue('storage', q, storagePath)));
    }
  }
  if (spec.storageClassName) errs.push(...validateName(nameIsDNSSubdomain, str(spec.storageClassName), child(path, 'storageClassName')));
  if (isSet(spec.volumeMode) && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(fieldNotSupported(child(path, 'volumeMode'), spec.volumeMode, VOLUME_MODES));
  if (spec.dataSource) errs.push(...validateDataSource(spec.dataSource, child(path, 'dataSource')));
  if (spec.dataSourceRef) errs.push(...validateDataSource(spec.dataSourceRef, child(path, 'dataSourceRef')));
  return errs;
}

export function validatePersistentVolumeClaim(pvc: Loose<PersistentVolumeClaim>): Errors {
  return [...validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain), ...validatePersistentVolumeClaimSpec(obj(pvc.spec), 'spec')];
}

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

export function validatePersistentVolumeClaimUpdate(pvc: Loose<PersistentVolumeClaim>, old: Loose<PersistentVolumeClaim>): Errors {
  const errs = [...validateObjectMetaUpdate(pvc.metadata, old.metadata, true), ...validatePersistentVolumeClaim(pvc)];
  const spec = obj(pvc.spec);
  const oldSpec = obj(old.spec);
  const next: Loose<PersistentVolumeClaimSpec> = { ...spec };
  const prev: Loose<PersistentVolumeClaimSpec> = { ...oldSpec };
  // The volume binder may set volumeName once.
  if (!oldSpec.volumeName) prev.volumeName = next.volumeName;
  const oldBeta = obj(obj(old.metadata).annotations)[BETA_STORAGE_CLASS];
  const newBeta = obj(obj(pvc.metadata).annotations)[BETA_STORAGE_CLASS];
  if (!isSet(oldSpec.storageClassName) && isSet(spec.storageClassName)) {
    if (oldBeta === undefined || spec.storageClassName === oldBeta) next.storageClassName = oldSpec.storageClassName;
  } else if (newBeta !== oldBeta) {
    errs.push(invalid(`metadata.annotations.${BETA_STORAGE_CLASS}`, newBeta ?? '', 'field is immutable'));
  }
  const requests = next.resources?.requests;
  if (obj(pvc.status).phase === 'Bound' && requests) {
    next.resources = { ...next.resources, requests: { ...requests, storage: obj(obj(oldSpec.resources).requests).storage } };
  }
  if (!deepEqual(next, prev)) {
    errs.push(fieldForbidden('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${describeDiff('core.PersistentVolumeClaimSpec', prev, next)}`));
  }
  const newSize = obj(obj(spec.resources).requests).storage;
  const oldSize = obj(obj(oldSpec.resources).requests).storage;
  if (isSet(newSize) && isSet(oldSize)) {
    try {
      if (compareQuantity(toQuantity(newSize), toQuantity(oldSize)) < 0) {
        errs.push(fieldForbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
      }
    } catch {
      // An unparseable size was already reported.
    }
  }
  if (!deepEqual(spec.volumeMode, oldSpec.volumeMode)) errs.push(invalid('volumeMode', spec.volumeMode ?? null, 'field is immutable'));
  return errs;
}

function validatePVSource(kind: string, source: Record<string, unknown>, path: string): Errors {
  switch (kind) {
    case 'hostPath':
    case 'local':
      return source.path ? validatePathNoBacksteps(str(source.path), child(path, 'path')) : [fieldRequired(child(path, 'path'))];
    case 'nfs': {
      const errs = ['server', 'path'].filter((f) => !source[f]).map((f) => fieldRequired(child(path, f)));
      if (!str(source.path).startsWith('/')) errs.push(invalid(child(path, 'path'), str(source.path), 'must be an absolute path'));
      return errs;
    }
    case 'csi':
      return ['driver', 'volumeHandle'].filter((f) => !source[f]).map((f) => fieldRequired(child(path, f)));
    default:
      return [];
  }
}

export function validatePersistentVolume(pv: Loose<PersistentVolume>): Errors {
  const errs = validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain);
  const spec = obj(pv.spec);
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', ''));
  const capacity = obj(spec.capacity);
  if (Object.keys(capacity).length === 0) errs.push(fieldRequired('spec.capacity'));
  if (!isSet(capacity.storage) || Object.keys(capacity).length > 1) {
    // A non-empty ResourceList would print its Quantity internals; the names are what matter.
    const rendered = Object.keys(capacity).length === 0 ? 'core.ResourceList(nil)' : `core.ResourceList{${Object.keys(capacity).map((k) => JSON.stringify(k)).join(', ')}}`;
    errs.push(notSupportedRendered('spec.capacity', rendered, ['storage']));
  }
  for (const [name, raw] of Object.entries(capacity)) {
    const q = readQuantity(raw, key('spec.capacity', name), errs);
    if (q) errs.push(...validatePositiveQuantity(q, key('spec.capacity', name)));
  }
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !PV_RECLAIM_POLICIES.includes(policy)) errs.push(fieldNotSupported('spec.persistentVolumeReclaimPolicy', policy, PV_RECLAIM_POLICIES));
  const nodeAffinity = obj(spec.nodeAffinity).required;
  if (nodeAffinity) errs.push(...validateNodeSelector(nodeAffinity, 'spec.nodeAffinity.required'));
  let count = 0;
  for (const kind of PV_SOURCES) {
    if (!isSet(spec[kind])) continue;
    if (count++ > 0) errs.push(fieldForbidden(`spec.${kind}`, 'may not specify more than 1 volume type'));
    else errs.push(...validatePVSource(kind, obj(spec[kind]), `spec.${kind}`));
    if (kind === 'local' && count === 1 && !nodeAffinity) errs.push(fieldRequired('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  if (count === 0) errs.push(fieldRequired('spec', 'must specify a volume type'));
  if (spec.hostPath && /^\/+$/.test(str(spec.hostPath.path)) && policy === 'Recycle') {
    errs.push(fieldForbidden('spec.persistentVolumeReclaimPolicy', "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (spec.storageClassName) errs.push(...validateName(nameIsDNSSubdomain, str(spec.storageClassName), 'spec.storageClassName'));
  if (isSet(spec.volumeMode) && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(fieldNotSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  return errs;
}

export function validatePersistentVolumeUpdate(pv: Loose<PersistentVolume>, old: Loose<PersistentVolume>): Errors {
  const errs = [...validateObjectMetaUpdate(pv.metadata, old.metadata, false), ...validatePersistentVolume(pv)];
  const pick = (s: Record<string, unknown>) => Object.fromEntries(PV_SOURCES.filter((k) => isSet(s[k])).map((k) => [k, s[k]]));
  const next = pick(obj(pv.spec));
  const prev = pick(obj(old.spec));
  // A controller-expand secret may be added to a CSI volume that had none.
  if (next.csi && prev.csi && !obj(prev.csi).controllerExpandSecretRef) next.csi = { ...obj(next.csi), controllerExpandSecretRef: undefined };
  if (!deepEqual(next, prev)) {
    errs.push(fieldForbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${describeDiff('core.PersistentVolumeSource', prev, next)}`));
  }
  if (!deepEqual(obj(pv.spec).volumeMode, obj(old.spec).volumeMode)) errs.push(invalid('volumeMode', obj(pv.spec).volumeMode ?? null, 'field is immutable'));
  return errs;
}

const SC_RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PARAMETERS_SIZE = 256 * 1024;

export function validateStorageClass(sc: Loose<StorageClass>): Errors {
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain);
  const provisioner = str(sc.provisioner);
  if (!provisioner) errs.push(fieldRequired('provisioner'));
  else errs.push(...each('provisioner', provisioner.toLowerCase(), isQualifiedName(provisioner.toLowerCase())));
  const params = obj(sc.parameters);
  if (Object.keys(params).length > 512) errs.push(fieldTooLong('parameters', 'Provisioner Parameters exceeded max allowed', 512));
  const size = Object.entries(params).reduce((n, [k, v]) => n + k.length + str(v).length, 0);
  if (size > MAX_PARAMETERS_SIZE) errs.push(fieldTooLong('parameters', '', MAX_PARAMETERS_SIZE));
  if (sc.reclaimPolicy && !SC_RECLAIM_POLICIES.includes(sc.reclaimPolicy)) errs.push(fieldNotSupported('reclaimPolicy', sc.reclaimPolicy, SC_RECLAIM_POLICIES));
  if (!isSet(sc.volumeBindingMode)) errs.push(fieldRequired('volumeBindingMode'));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(fieldNotSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  return errs;
}

export function validateStorageClassUpdate(sc: Loose<StorageClass>, old: Loose<StorageClass>): Errors {
  const errs = [...validateStorageClass(sc), ...validateObjectMetaUpdate(sc.metadata, old.metadata, false)];
  if (!deepEqual(sc.parameters, old.parameters)) errs.push(fieldForbidden('parameters', 'updates to parameters are forbidden.'));
  if (str(sc.provisioner) !== str(old.provisioner)) errs.push(fieldForbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (str(sc.reclaimPolicy) !== str(old.reclaimPolicy)) errs.push(fieldForbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if (!deepEqual(sc.volumeBindingMode, old.volumeBindingMode)) errs.push(invalid('volumeBindingMode', sc.volumeBindingMode ?? null, 'field is immutable'));
  return errs;
}

