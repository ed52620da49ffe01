// Mutating admission the real API server runs by default for storage: DefaultStorageClass,
// StorageObjectInUseProtection (plugin/pkg/admission/storage/...).

import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from '../api/storage/annotations.js';
import { defaultStorageClassName } from '../api/storage/classes.js';
import type { StrategyContext } from './strategy.js';

export function addFinalizer(obj: any, f: string): void {
  const fins: string[] = (obj.metadata.finalizers ??= []);
  if (!fins.includes(f)) fins.push(f);
}

export function admitClaim(pvc: any, ctx: StrategyContext): void {
  const name = defaultStorageClassName(pvc, ctx.list('storage.k8s.io/storageclasses'));
  if (name) (pvc.spec ??= {}).storageClassName = name;
  addFinalizer(pvc, PVC_PROTECTION_FINALIZER);
}

export function admitVolume(pv: any): void {
  addFinalizer(pv, PV_PROTECTION_FINALIZER);
}
