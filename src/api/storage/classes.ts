// Which StorageClass a claim or volume belongs to, and the default class (storageutil and the
// DefaultStorageClass admission plugin upstream): shared by admission and the volume controllers.

import { ANN_BETA_DEFAULT_CLASS, ANN_BETA_STORAGE_CLASS, ANN_DEFAULT_CLASS, hasAnnotation } from './annotations.js';

/** storageutil.IsDefaultAnnotation: either the GA or the beta annotation set to "true". */
export function isDefaultClass(sc: any): boolean {
  const ann = sc?.metadata?.annotations ?? {};
  return ann[ANN_DEFAULT_CLASS] === 'true' || ann[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/** helper.PersistentVolumeClaimHasClass: a class was asked for, even the empty one ("no class"). */
export function claimHasClass(pvc: any): boolean {
  if (hasAnnotation(pvc, ANN_BETA_STORAGE_CLASS)) return true;
  return pvc?.spec?.storageClassName !== undefined && pvc?.spec?.storageClassName !== null;
}

/** GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName. */
export function claimClass(pvc: any): string {
  if (hasAnnotation(pvc, ANN_BETA_STORAGE_CLASS)) return pvc.metadata.annotations[ANN_BETA_STORAGE_CLASS];
  return pvc?.spec?.storageClassName ?? '';
}

/** GetPersistentVolumeClass, the same rule for volumes. */
export function volumeClass(pv: any): string {
  if (hasAnnotation(pv, ANN_BETA_STORAGE_CLASS)) return pv.metadata.annotations[ANN_BETA_STORAGE_CLASS];
  return pv?.spec?.storageClassName ?? '';
}

/** util.GetDefaultClass: among classes marked default, the newest wins; equal ages go by name. */
export function defaultClass(classes: any[]): any | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
    if (ta !== tb) return tb - ta;
    return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  });
  return defaults[0];
}

/**
 * What the DefaultStorageClass admission plugin writes into spec.storageClassName of a new claim:
 * the default class name, or undefined when the claim already names a class or there is no default.
 */
export function defaultStorageClassName(pvc: any, classes: any[]): string | undefined {
  if (claimHasClass(pvc)) return undefined;
  return defaultClass(classes)?.metadata.name;
}

export function isWaitForFirstConsumer(sc: any): boolean {
  return sc?.volumeBindingMode === 'WaitForFirstConsumer';
}
