// persistentVolumeClaimRetentionPolicy as ownerReferences on claims (stateful_set_utils.go isClaimOwnerUpToDate,
// updateClaimOwnerRefForSetAndPod): the garbage collector deletes a claim once the owner named here is gone.
//
//   whenDeleted / whenScaled   refs a claim must carry
//   Retain / Retain            none to the set or the pod
//   Delete / Retain            controllerRef to the set; none to the pod
//   Retain / Delete            none to the set; controllerRef to the pod only while the pod is condemned
//   Delete / Delete            in range: set only; condemned: pod only

import type { StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { newControllerRef, POD_KIND, type GroupVersionKind } from '../controller_utils.js';
import { podInOrdinalRange, STATEFUL_SET_KIND } from './stateful_set_utils.js';

type Named = { metadata?: { name?: string; uid?: string } };

export function getPersistentVolumeClaimRetentionPolicy(set: StatefulSet): Required<StatefulSetPersistentVolumeClaimRetentionPolicy> {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted || 'Retain', whenScaled: p?.whenScaled || 'Retain' };
}

/** The ref names this object (same apiVersion, kind and name), whatever its UID. */
const matchesRef = (ref: OwnerReference, obj: Named, kind: GroupVersionKind): boolean =>
  ref.apiVersion === kind.apiVersion && ref.kind === kind.kind && ref.name === obj.metadata?.name;

const refs = (claim: PersistentVolumeClaim): OwnerReference[] => claim.metadata?.ownerReferences ?? [];

/** Whether the claim has a ref with the owner's UID (controller or not). */
export const hasOwnerRef = (claim: PersistentVolumeClaim, owner: Named): boolean => refs(claim).some((r) => r.uid === owner.metadata?.uid);

/** A ref naming the object but with another UID: left by a previous incarnation of the set or pod. */
export function hasStaleOwnerRef(claim: PersistentVolumeClaim, obj: Named, kind: GroupVersionKind): boolean {
  const ref = refs(claim).find((r) => matchesRef(r, obj, kind));
  return ref !== undefined && ref.uid !== obj.metadata?.uid;
}

/** Under a non-Retain policy: another controller owns the claim, or a set/pod ref has a mismatched UID. */
export function hasUnexpectedController(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const policy = getPersistentVolumeClaimRetentionPolicy(set);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain') return false;
  for (const ref of refs(claim)) {
    if (matchesRef(ref, set, STATEFUL_SET_KIND)) {
      if (ref.uid !== set.metadata?.uid) return true;
      continue;
    }
    if (matchesRef(ref, pod, POD_KIND)) {
      if (ref.uid !== pod.metadata?.uid) return true;
      continue;
    }
    if (ref.controller) return true;
  }
  return false;
}

/** The set or pod owns the claim without being its controller. */
const hasNonControllerOwner = (claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean =>
  refs(claim).some((r) => (r.uid === set.metadata?.uid || r.uid === pod.metadata?.uid) && !r.controller);

/** False when the claim's refs disagree with the policy; stale refs and foreign controllers count as up to date. */
export function isClaimOwnerUpToDate(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  if (hasStaleOwnerRef(claim, set, STATEFUL_SET_KIND) || hasStaleOwnerRef(claim, pod, POD_KIND)) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const { whenDeleted, whenScaled } = getPersistentVolumeClaimRetentionPolicy(set);
  const setRef = hasOwnerRef(claim, set);
  const podRef = hasOwnerRef(claim, pod);
  const condemned = !podInOrdinalRange(pod, set);
  if (whenScaled === 'Delete' && whenDeleted === 'Delete') return condemned !== setRef && condemned === podRef;
  if (whenScaled === 'Delete') return !setRef && condemned === podRef;
  if (whenDeleted === 'Delete') return setRef && !podRef;
  return !setRef && !podRef;
}

/** Rewrite the claim's refs to match the policy: scrub refs naming this set and pod, then add the controllerRefs required. */
export function updateClaimOwnerRefForSetAndPod(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): void {
  const unexpected = hasUnexpectedController(claim, set, pod);
  let next = refs(claim).filter((r) => !matchesRef(r, set, STATEFUL_SET_KIND) && !matchesRef(r, pod, POD_KIND));
  if (!unexpected) {
    const { whenDeleted, whenScaled } = getPersistentVolumeClaimRetentionPolicy(set);
    const condemned = !podInOrdinalRange(pod, set);
    if (whenScaled === 'Delete' && condemned) next = addControllerRef(next, pod, POD_KIND);
    if (whenDeleted === 'Delete' && (whenScaled === 'Retain' || !condemned)) next = addControllerRef(next, set, STATEFUL_SET_KIND);
  }
  const meta = (claim.metadata ??= {});
  if (next.length) meta.ownerReferences = next;
  else delete meta.ownerReferences;
}

function addControllerRef(list: OwnerReference[], owner: Named, kind: GroupVersionKind): OwnerReference[] {
  if (list.some((r) => r.uid === owner.metadata?.uid)) return list;
  return [...list, newControllerRef(owner, kind)];
}
