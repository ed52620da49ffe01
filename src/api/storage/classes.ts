// Which StorageClass a claim or volume belongs to, and the default class (storageutil and the
// DefaultStorageClass admission plugin upstream): shared by admission and the volume controllers.

import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Loose } from '../loose.js';
import { ANN_BETA_DEFAULT_CLASS, ANN_BETA_STORAGE_CLASS, ANN_DEFAULT_CLASS, hasAnnotation } from './annotations.js';

/** What these helpers read: both kubernetes-types objects and stored objects (whose spec is open JSON) fit. */
interface Classed {
  metadata?: Loose<ObjectMeta>;
  spec?: unknown;
}

interface Named {
  metadata?: Loose<ObjectMeta>;
}

/** A schema-checked storageClassName is a string; a missing one is "". */
function classNameOr(name: unknown): string {
  return typeof name === 'string' ? name : '';
}

function specClassName(obj: Classed | undefined): unknown {
  const spec = obj?.spec;
  return typeof spec === 'object' && spec !== null && 'storageClassName' in spec ? spec.storageClassName : undefined;
}

/** storageutil.IsDefaultAnnotation: either the GA or the beta annotation set to "true". */
export function isDefaultClass(sc: Named | undefined): boolean {
  const ann = sc?.metadata?.annotations ?? {};
  return ann[ANN_DEFAULT_CLASS] === 'true' || ann[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/** helper.PersistentVolumeClaimHasClass: a class was asked for, even the empty one ("no class"). */
export function claimHasClass(pvc: Classed | undefined): boolean {
  if (hasAnnotation(pvc, ANN_BETA_STORAGE_CLASS)) return true;
  const name = specClassName(pvc);
  return name !== undefined && name !== null;
}

/** GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName. */
export function claimClass(pvc: Classed | undefined): string {
  if (hasAnnotation(pvc, ANN_BETA_STORAGE_CLASS)) return pvc!.metadata!.annotations![ANN_BETA_STORAGE_CLASS];
  return classNameOr(specClassName(pvc));
}

/** GetPersistentVolumeClass, the same rule for volumes. */
export function volumeClass(pv: Classed | undefined): string {
  if (hasAnnotation(pv, ANN_BETA_STORAGE_CLASS)) return pv!.metadata!.annotations![ANN_BETA_STORAGE_CLASS];
  return classNameOr(specClassName(pv));
}

/** util.GetDefaultClass: among classes marked default, the newest wins; equal ages go by name. */
export function defaultClass<T extends Named>(classes: T[]): T | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
    if (ta !== tb) return tb - ta;
    const na = a.metadata!.name!;
    const nb = b.metadata!.name!;
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  return defaults[0];
}

/**
 * What the DefaultStorageClass admission plugin writes into spec.storageClassName of a new claim:
 * the default class name, or undefined when the claim already names a class or there is no default.
 */
export function defaultStorageClassName(pvc: Classed | undefined, classes: Named[]): string | undefined {
  if (claimHasClass(pvc)) return undefined;
  return defaultClass(classes)?.metadata!.name;
}

export function isWaitForFirstConsumer(sc: { volumeBindingMode?: unknown } | undefined): boolean {
  return sc?.volumeBindingMode === 'WaitForFirstConsumer';
}
