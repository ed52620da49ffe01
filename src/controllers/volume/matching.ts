// Which PersistentVolume a claim binds to (storage/volume FindMatchingVolume and the PV controller's
// access-mode index): a volume pre-bound to the claim first, otherwise the Available volume of the
// claim's class with the fewest access modes that covers the claim's, then the smallest that fits.

import type { ObjectReference, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { fromLabelSelector, matches } from '../../machinery/labels.js';
import { compareQuantity, toQuantity, type Quantity } from '../../machinery/quantity.js';
import { claimClass, volumeClass } from '../../api/storage/classes.js';
import { volumeReachableFrom, type NodeView } from './nodeaffinity.js';

const ZERO: Quantity = { value: 0n, scale: 0, format: 'DecimalSI' };

function quantityOr0(v: unknown): Quantity {
  if (typeof v !== 'string' && typeof v !== 'number') return ZERO;
  try {
    return toQuantity(v);
  } catch {
    return ZERO;
  }
}

export function requestedStorage(pvc: PersistentVolumeClaim | undefined): Quantity {
  return quantityOr0(pvc?.spec?.resources?.requests?.storage);
}

export function volumeCapacity(pv: PersistentVolume | undefined): Quantity {
  return quantityOr0(pv?.spec?.capacity?.storage);
}

/** CheckAccessModes: the volume offers every mode the claim asks for. */
export function checkAccessModes(pvc: PersistentVolumeClaim | undefined, pv: PersistentVolume | undefined): boolean {
  const offered = new Set<string>(pv?.spec?.accessModes ?? []);
  return (pvc?.spec?.accessModes ?? []).every((m) => offered.has(m));
}

/** CheckVolumeModeMismatches, with a missing mode read as Filesystem. */
export function volumeModeMismatch(pvc: PersistentVolumeClaim | undefined, pv: PersistentVolume | undefined): boolean {
  return (pvc?.spec?.volumeMode ?? 'Filesystem') !== (pv?.spec?.volumeMode ?? 'Filesystem');
}

/** IsVolumeBoundToClaim: pre-bound or bound to this claim (the UID must agree when it is set). */
export function isVolumeBoundToClaim(pv: PersistentVolume | undefined, pvc: PersistentVolumeClaim): boolean {
  const ref = pv?.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata?.name || ref.namespace !== pvc.metadata?.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata?.uid;
}

/** reference.GetReference for a claim, as a volume's spec.claimRef holds it. */
export function claimRef(pvc: PersistentVolumeClaim): ObjectReference {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: pvc.metadata?.namespace,
    name: pvc.metadata?.name,
    uid: pvc.metadata?.uid,
    apiVersion: 'v1',
    resourceVersion: pvc.metadata?.resourceVersion,
  };
}

/** checkVolumeSatisfyClaim: why a volume named in pvc.spec.volumeName cannot serve the claim. */
export function volumeMismatch(pv: PersistentVolume, pvc: PersistentVolumeClaim): string | undefined {
  if (pv.metadata?.deletionTimestamp) return `the volume is marked for deletion ${JSON.stringify(pv.metadata.name)}`;
  if (compareQuantity(volumeCapacity(pv), requestedStorage(pvc)) < 0) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(pvc)) return 'storageClassName does not match';
  if (volumeModeMismatch(pvc, pv)) return 'incompatible volumeMode';
  if (!checkAccessModes(pvc, pv)) return 'incompatible accessMode';
  return undefined;
}

export interface MatchOptions {
  /** WaitForFirstConsumer and no node chosen yet: only a volume pre-bound to the claim may match. */
  delayBinding: boolean;
  /** The node the scheduler chose: the volume's node affinity must admit it. */
  node?: NodeView;
}

export function findMatchingVolume<V extends PersistentVolume>(pvc: PersistentVolumeClaim, volumes: V[], opts: MatchOptions): V | undefined {
  const requested = requestedStorage(pvc);
  const selector = pvc.spec?.selector ? fromLabelSelector(pvc.spec.selector) : undefined;
  const requestedClass = claimClass(pvc);
  const reachable = (pv: V) => !opts.node || volumeReachableFrom(pv, opts.node);
  const usable = (pv: V) => !pv.metadata?.deletionTimestamp && !volumeModeMismatch(pvc, pv) && checkAccessModes(pvc, pv);

  for (const pv of volumes) {
    if (!isVolumeBoundToClaim(pv, pvc) || !usable(pv)) continue;
    if (compareQuantity(volumeCapacity(pv), requested) < 0) continue;
    // A pre-bound volume the chosen node cannot reach means no match at all for that node.
    return reachable(pv) ? pv : undefined;
  }
  if (opts.delayBinding && !opts.node) return undefined;

  let best: V | undefined;
  for (const pv of volumes) {
    if (pv.status?.phase !== 'Available' || pv.spec?.claimRef || !usable(pv)) continue;
    if (selector && !matches(selector, pv.metadata?.labels)) continue;
    if (volumeClass(pv) !== requestedClass || !reachable(pv)) continue;
    if (compareQuantity(volumeCapacity(pv), requested) < 0) continue;
    if (!best || better(pv, best)) best = pv;
  }
  return best;
}

function better(a: PersistentVolume, b: PersistentVolume): boolean {
  const modes = (pv: PersistentVolume) => (pv.spec?.accessModes ?? []).length;
  if (modes(a) !== modes(b)) return modes(a) < modes(b);
  return compareQuantity(volumeCapacity(a), volumeCapacity(b)) < 0;
}
