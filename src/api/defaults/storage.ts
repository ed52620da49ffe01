// PersistentVolume, PersistentVolumeClaim and StorageClass defaults (core/v1 and storage/v1).
import { defaultResourceList, defaultResourceRequirements } from './resources.js';

export function defaultPersistentVolumeClaimSpec(spec: any): void {
  spec.volumeMode ??= 'Filesystem';
  defaultResourceRequirements(spec.resources);
}

export function defaultPersistentVolumeClaim(pvc: any): void {
  const status = (pvc.status ??= {});
  if (!status.phase) status.phase = 'Pending';
  defaultPersistentVolumeClaimSpec((pvc.spec ??= {}));
  defaultResourceList(status.capacity);
  defaultResourceList(status.allocatedResources);
}

export function defaultPersistentVolume(pv: any): void {
  const status = (pv.status ??= {});
  if (!status.phase) status.phase = 'Pending';
  const spec = (pv.spec ??= {});
  if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
  spec.volumeMode ??= 'Filesystem';
  defaultResourceList(spec.capacity);
  if (spec.hostPath) spec.hostPath.type ??= '';
}

export function defaultStorageClass(sc: any): void {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
}
