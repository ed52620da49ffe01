// Mutating admission the real API server runs by default for storage: DefaultStorageClass,
// StorageObjectInUseProtection (plugin/pkg/admission/storage/...).

import type { StrategyContext } from './strategy.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
const BETA_CLASS = 'volume.beta.kubernetes.io/storage-class';

export function addFinalizer(obj: any, f: string): void {
  const fins: string[] = (obj.metadata.finalizers ??= []);
  if (!fins.includes(f)) fins.push(f);
}

/** The newest class marked default, as the DefaultStorageClass plugin picks it. */
function defaultClass(ctx: StrategyContext): string | undefined {
  const defaults = ctx
    .list('storage.k8s.io/storageclasses')
    .filter((c) => c.metadata.annotations?.[DEFAULT_CLASS] === 'true' || c.metadata.annotations?.[BETA_DEFAULT_CLASS] === 'true')
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
  return defaults[0]?.metadata.name;
}

export function admitClaim(pvc: any, ctx: StrategyContext): void {
  const spec = (pvc.spec ??= {});
  if (spec.storageClassName === undefined && pvc.metadata.annotations?.[BETA_CLASS] === undefined) {
    const name = defaultClass(ctx);
    if (name) spec.storageClassName = name;
  }
  addFinalizer(pvc, PVC_PROTECTION_FINALIZER);
}

export function admitVolume(pv: any): void {
  addFinalizer(pv, PV_PROTECTION_FINALIZER);
}
