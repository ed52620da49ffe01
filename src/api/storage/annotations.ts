// Annotation, finalizer and provisioner names the volume controllers share with the scheduler, the
// kubelet and admission (k8s.io/component-helpers/storage/volume and pkg/volume/util upstream).

import type { KubeObject, Loose } from '../loose.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
/** Set on a PVC by the scheduler to ask for WaitForFirstConsumer provisioning on that node. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** A class with this provisioner only binds to PersistentVolumes created by hand (local volumes). */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';

export function hasAnnotation(obj: Loose<KubeObject> | undefined | null, key: string): boolean {
  const ann = obj?.metadata?.annotations;
  return ann !== undefined && ann !== null && Object.prototype.hasOwnProperty.call(ann, key);
}
