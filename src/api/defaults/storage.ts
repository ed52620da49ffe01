// PersistentVolume, PersistentVolumeClaim and StorageClass defaults (core/v1 and storage/v1).
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Loose } from '../loose.js';
import { defaultResourceList, defaultResourceRequirements } from './resources.js';

export function defaultPersistentVolumeClaimSpec(spec: Loose<PersistentVolumeClaimSpec>): void {
  spec.volumeMode ??= 'Filesystem';
  defaultResourceRequirements(spec.resources);
}

export function defaultPersistentVolumeClaim(pvc: Loose<PersistentVolumeClaim>): void {
  const status = (pvc.status ??= {});
  if (!status.phase) status.phase = 'Pending';
  defaultPersistentVolumeClaimSpec((pvc.spec ??= {}));
  defaultResourceList(status.capacity);
  defaultResourceList(status.allocatedResources);
}

export function defaultPersistentVolume(pv: Loose<PersistentVolume>): void {
  const status = (pv.status ??= {});
  if (!status.phase) status.phase = 'Pending';
  const spec = (pv.spec ??= {});
  if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
  spec.volumeMode ??= 'Filesystem';
  defaultResourceList(spec.capacity);
  if (spec.hostPath) spec.hostPath.type ??= '';
}

export function defaultStorageClass(sc: Loose<StorageClass>): void {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
}
