// Helpers shared by the workload controllers (pkg/controller/controller_utils.go, metav1's controllerRef
// functions and pkg/api/v1/pod): controllerRefs, pods built from a template, pod readiness and availability.

import type { Pod, PodCondition, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';

/** The apiVersion and kind a controllerRef names (schema.GroupVersionKind upstream). */
export interface GroupVersionKind {
  apiVersion: string;
  kind: string;
}

export const POD_KIND: GroupVersionKind = { apiVersion: 'v1', kind: 'Pod' };

interface Named {
  metadata?: { name?: string; uid?: string };
}

/** metav1.NewControllerRef: controller and blockOwnerDeletion set. */
export function newControllerRef(owner: Named, kind: GroupVersionKind): OwnerReference {
  return { apiVersion: kind.apiVersion, kind: kind.kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

/** metav1.GetControllerOf: the ownerReference with controller=true, if any. */
export const getControllerOf = (obj: { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined =>
  obj.metadata?.ownerReferences?.find((r) => r.controller);

/**
 * GetPodFromTemplate: generateName `<parent>-`, the template's labels, annotations and finalizers, and the
 * controllerRef. The spec is a shallow copy: replace its fields, do not change nested values in place.
 */
export function getPodFromTemplate(template: PodTemplateSpec, parent: Named, controllerRef: OwnerReference): Pod {
  const tmeta = template.metadata ?? {};
  const metadata: NonNullable<Pod['metadata']> = { generateName: `${parent.metadata!.name}-`, labels: { ...(tmeta.labels ?? {}) } };
  if (tmeta.annotations && Object.keys(tmeta.annotations).length) metadata.annotations = { ...tmeta.annotations };
  if (tmeta.finalizers?.length) metadata.finalizers = [...tmeta.finalizers];
  metadata.ownerReferences = [{ ...controllerRef }];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { ...template.spec! } };
}

// Status objects of cached pods are immutable and read several times per sync.
const readyConditions = new WeakMap<object, PodCondition | undefined>();

/** podutil.GetPodReadyCondition. */
export function getPodReadyCondition(pod: Pod): PodCondition | undefined {
  const status = pod.status;
  if (!status) return undefined;
  if (readyConditions.has(status)) return readyConditions.get(status);
  const c = status.conditions?.find((x) => x.type === 'Ready');
  if (Object.isFrozen(status)) readyConditions.set(status, c);
  return c;
}

/** podutil.IsPodReady: the Ready condition is True. */
export const isPodReady = (pod: Pod): boolean => getPodReadyCondition(pod)?.status === 'True';

/** podutil.IsPodAvailable: ready for more than minReadySeconds, counted from the Ready condition's lastTransitionTime. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = Date.parse(getPodReadyCondition(pod)?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 < now;
}
