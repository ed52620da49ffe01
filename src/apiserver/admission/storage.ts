// DefaultStorageClass and StorageObjectInUseProtection (plugin/pkg/admission/storage/...): a claim
// without a class gets the default one; claims and volumes get their protection finalizers.

import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from '../../api/storage/annotations.js';
import { defaultStorageClassName } from '../../api/storage/classes.js';
import type { AdmissionPlugin } from '../../registry/admission.js';
import type { KObject } from '../../storage/store.js';

function addFinalizer(obj: KObject, f: string): void {
  const fins: string[] = (obj.metadata.finalizers ??= []);
  if (!fins.includes(f)) fins.push(f);
}

const creating = (plural: string) => (a: { operation: string; resource: { group: string; plural: string }; subresource: string }) =>
  a.operation === 'CREATE' && a.resource.group === '' && a.resource.plural === plural && !a.subresource;

export const defaultStorageClass: AdmissionPlugin = {
  name: 'DefaultStorageClass',
  admit(a) {
    if (!creating('persistentvolumeclaims')(a)) return;
    const classes = a.store.list('storage.k8s.io/storageclasses').entries.map((e) => e.object as unknown as StorageClass);
    const name = defaultStorageClassName(a.object as PersistentVolumeClaim, classes);
    if (name) ((a.object as PersistentVolumeClaim).spec ??= {}).storageClassName = name;
  },
};

export const storageObjectInUseProtection: AdmissionPlugin = {
  name: 'StorageObjectInUseProtection',
  admit(a) {
    if (creating('persistentvolumeclaims')(a)) addFinalizer(a.object, PVC_PROTECTION_FINALIZER);
    else if (creating('persistentvolumes')(a)) addFinalizer(a.object, PV_PROTECTION_FINALIZER);
  },
};
