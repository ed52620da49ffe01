// Pod volumes and volume mounts: ValidateVolumes, validateVolumeSource and ValidateVolumeMounts.
import type { Container } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { fieldDuplicate, fieldForbidden, fieldNotSupported, fieldRequired } from '../../machinery/errors.js';
import { nameIsDNSSubdomain } from '../../machinery/names.js';
import { VOLUME_SOURCES } from '../defaults/volume.js';
import { arr, child, index, invalid, isSet, notFound, obj, str, type Errors } from './field.js';
import { validateDNS1123Label } from './formats.js';
import { compareQuantity, toQuantity } from '../../machinery/quantity.js';
import { readQuantity } from './resources.js';
import { validatePersistentVolumeClaimSpec } from './storage.js';

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

export function validatePathNoBacksteps(target: string, path: string): Errors {
  return target.replace(/\\/g, '/').split('/').includes('..') ? [invalid(path, target, "must not contain '..'")] : [];
}

function validateLocalDescendingPath(target: string, path: string): Errors {
  const errs = target.startsWith('/') ? [invalid(path, target, 'must be a relative path')] : [];
  return [...errs, ...validatePathNoBacksteps(target, path)];
}

function validateLocalNonReservedPath(target: string, path: string): Errors {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

function validateMode(mode: unknown, path: string): Errors {
  return typeof mode === 'number' && (mode > 0o777 || mode < 0) ? [invalid(path, mode, FILE_MODE_ERROR)] : [];
}

function validateKeyToPaths(items: unknown, path: string): Errors {
  const errs: Errors = [];
  arr(items).forEach((kp, i) => {
    const p = index(path, i);
    if (!kp.key) errs.push(fieldRequired(child(p, 'key')));
    if (!kp.path) errs.push(fieldRequired(child(p, 'path')));
    errs.push(...validateLocalNonReservedPath(str(kp.path), child(p, 'path')));
    errs.push(...validateMode(kp.mode, child(p, 'mode')));
  });
  return errs;
}

function validateDownwardAPIFiles(items: unknown, path: string): Errors {
  const errs: Errors = [];
  for (const file of arr(items)) {
    if (!file.path) errs.push(fieldRequired(child(path, 'path')));
    errs.push(...validateLocalNonReservedPath(str(file.path), child(path, 'path')));
    if (!file.fieldRef && !file.resourceFieldRef) errs.push(fieldRequired(path, 'one of fieldRef and resourceFieldRef is required'));
    if (file.fieldRef && file.resourceFieldRef) errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    errs.push(...validateMode(file.mode, child(path, 'mode')));
  }
  return errs;
}

const requireFields = (source: Record<string, unknown>, path: string, fields: string[]): Errors =>
  fields.filter((f) => !source[f]).map((f) => fieldRequired(child(path, f)));

/** The checks specific to the sources k8ts runs; the rest are only counted. */
function validateSource(kind: string, source: Record<string, unknown>, path: string, volumeName: string, podName: string): Errors {
  switch (kind) {
    case 'emptyDir': {
      const errs: Errors = [];
      const limit = isSet(source.sizeLimit) ? readQuantity(source.sizeLimit, child(path, 'sizeLimit'), errs) : undefined;
      if (limit && compareQuantity(limit, toQuantity('0')) < 0) errs.push(fieldForbidden(child(path, 'sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
      return errs;
    }
    case 'hostPath': {
      if (!source.path) return [fieldRequired(child(path, 'path'))];
      const errs = validatePathNoBacksteps(str(source.path), child(path, 'path'));
      if (isSet(source.type) && !HOST_PATH_TYPES.includes(str(source.type))) errs.push(fieldNotSupported(child(path, 'type'), source.type, HOST_PATH_TYPES));
      return errs;
    }
    case 'secret':
      return [...requireFields(source, path, ['secretName']), ...validateMode(source.defaultMode, child(path, 'defaultMode')), ...validateKeyToPaths(source.items, child(path, 'items'))];
    case 'configMap':
      return [...requireFields(source, path, ['name']), ...validateMode(source.defaultMode, child(path, 'defaultMode')), ...validateKeyToPaths(source.items, child(path, 'items'))];
    case 'persistentVolumeClaim':
      return requireFields(source, path, ['claimName']);
    case 'nfs': {
      const errs = requireFields(source, path, ['server', 'path']);
      if (!str(source.path).startsWith('/')) errs.push(invalid(child(path, 'path'), str(source.path), 'must be an absolute path'));
      return errs;
    }
    case 'downwardAPI':
      return [...validateMode(source.defaultMode, child(path, 'defaultMode')), ...validateDownwardAPIFiles(source.items, path)];
    case 'projected':
      return validateMode(source.defaultMode, child(path, 'defaultMode'));
    case 'csi':
      return source.driver ? [] : [fieldRequired(child(path, 'driver'))];
    case 'ephemeral':
      return validateEphemeral(source, path, volumeName, podName);
    default:
      return [];
  }
}

function validateEphemeral(source: Record<string, unknown>, path: string, volumeName: string, podName: string): Errors {
  const template = source.volumeClaimTemplate;
  if (!template) return [fieldRequired(child(path, 'volumeClaimTemplate'))];
  const errs = validatePersistentVolumeClaimSpec(obj(obj(template).spec), child(path, 'volumeClaimTemplate', 'spec'));
  if (podName && volumeName) {
    const pvcName = `${podName}-${volumeName}`;
    for (const msg of nameIsDNSSubdomain(pvcName, false)) errs.push(invalid(child(path, 'name'), volumeName, `PVC name ${JSON.stringify(pvcName)}: ${msg}`));
  }
  return errs;
}

/** Returns the errors and the names of the volumes that validated, which mounts may refer to. */
export function validateVolumes(volumes: unknown, path: string, podName: string): { errs: Errors; names: Map<string, unknown> } {
  const errs: Errors = [];
  const names = new Map<string, unknown>();
  arr(volumes).forEach((vol, i) => {
    const p = index(path, i);
    const name = str(vol.name);
    const el: Errors = [];
    let count = 0;
    for (const kind of VOLUME_SOURCES) {
      if (!isSet(vol[kind])) continue;
      if (count++ > 0) el.push(fieldForbidden(child(p, kind), 'may not specify more than 1 volume type'));
      else el.push(...validateSource(kind, obj(vol[kind]), child(p, kind), name, podName));
    }
    if (count === 0) el.push(fieldRequired(p, 'must specify a volume type'));
    if (!name) el.push(fieldRequired(child(p, 'name')));
    else el.push(...validateDNS1123Label(name, child(p, 'name')));
    if (names.has(name)) el.push(fieldDuplicate(child(p, 'name'), name));
    if (el.length === 0) names.set(name, vol);
    errs.push(...el);
  });
  return { errs, names };
}

const MOUNT_PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None'];

export function validateVolumeMounts(mounts: unknown, volumes: Map<string, unknown>, container: Loose<Container> | undefined, path: string): Errors {
  const errs: Errors = [];
  const mountPoints = new Set<string>();
  arr(mounts).forEach((mnt, i) => {
    const p = index(path, i);
    const name = str(mnt.name);
    if (!name) errs.push(fieldRequired(child(p, 'name')));
    if (!volumes.has(name)) errs.push(notFound(child(p, 'name'), name));
    if (!mnt.mountPath) errs.push(fieldRequired(child(p, 'mountPath')));
    if (mountPoints.has(str(mnt.mountPath))) errs.push(invalid(child(p, 'mountPath'), str(mnt.mountPath), 'must be unique'));
    mountPoints.add(str(mnt.mountPath));
    // Upstream reports subPath problems against the list path, not the item.
    if (mnt.subPath) errs.push(...validateLocalDescendingPath(str(mnt.subPath), child(path, 'subPath')));
    if (mnt.subPathExpr) {
      if (mnt.subPath) errs.push(invalid(child(p, 'subPathExpr'), mnt.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(str(mnt.subPathExpr), child(path, 'subPathExpr')));
    }
    if (isSet(mnt.mountPropagation)) {
      const mp = child(path, 'mountPropagation');
      if (!MOUNT_PROPAGATIONS.includes(mnt.mountPropagation)) errs.push(fieldNotSupported(mp, mnt.mountPropagation, MOUNT_PROPAGATIONS));
      else if (mnt.mountPropagation === 'Bidirectional' && container?.securityContext?.privileged !== true) {
        errs.push(fieldForbidden(mp, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return errs;
}

