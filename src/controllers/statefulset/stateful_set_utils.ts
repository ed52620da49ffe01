// Pure helpers of the StatefulSet controller (pkg/controller/statefulset/stateful_set_utils.go): pod names
// and ordinals, the identity and storage a pod must carry, pod states, the pod built for an ordinal, and
// the set's revisions.

import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, PodTemplateSpec, Volume } from 'kubernetes-types/core/v1.js';
import { getPodFromTemplate, isPodAvailable, isPodReady, newControllerRef, type GroupVersionKind } from '../controller_utils.js';
import { canonicalize, newControllerRevision } from '../history/controller_history.js';

export const STATEFUL_SET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const STATEFUL_SET_REVISION_LABEL = 'controller-revision-hash';

/** The kind a controllerRef names for this controller (controllerKind upstream). */
export const STATEFUL_SET_KIND: GroupVersionKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

const MAX_INT32 = 2 ** 31 - 1;
const statefulPodRegex = /^(.*)-([0-9]+)$/;

const parsedNames = new Map<string, { parent: string; ordinal: number }>();

/** Parent set name and ordinal parsed from a pod name; ordinal -1 when the name carries none. */
export function getParentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const name = pod.metadata?.name ?? '';
  let parsed = parsedNames.get(name);
  if (!parsed) {
    const m = statefulPodRegex.exec(name);
    parsed = Object.freeze(m ? { parent: m[1], ordinal: Number(m[2]) <= MAX_INT32 ? Number(m[2]) : -1 } : { parent: '', ordinal: -1 });
    // Names repeat across syncs; a bounded memo keeps the regex off the hot path.
    if (parsedNames.size >= 100_000) parsedNames.clear();
    parsedNames.set(name, parsed);
  }
  return parsed;
}

export const getParentName = (pod: Pod): string => getParentNameAndOrdinal(pod).parent;
export const getOrdinal = (pod: Pod): number => getParentNameAndOrdinal(pod).ordinal;

export const getReplicas = (set: StatefulSet): number => set.spec?.replicas ?? 1;

/** First ordinal of the set (inclusive): spec.ordinals.start, or 0. */
export const getStartOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;

/** Last ordinal of the set (inclusive). */
export const getEndOrdinal = (set: StatefulSet): number => getStartOrdinal(set) + getReplicas(set) - 1;

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const ordinal = getOrdinal(pod);
  return ordinal >= getStartOrdinal(set) && ordinal <= getEndOrdinal(set);
}

export const getPodName = (set: StatefulSet, ordinal: number): string => `${set.metadata!.name}-${ordinal}`;

export const getPersistentVolumeClaimName = (set: StatefulSet, claim: PersistentVolumeClaim, ordinal: number): string =>
  `${claim.metadata?.name}-${set.metadata!.name}-${ordinal}`;

export const isMemberOf = (set: StatefulSet, pod: Pod): boolean => getParentName(pod) === set.metadata!.name;

/** The identity checks upstream makes before deciding a pod needs an update; hostname/subdomain are immutable and not checked. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = getParentNameAndOrdinal(pod);
  return (
    ordinal >= 0 &&
    parent === set.metadata!.name &&
    pod.metadata?.name === getPodName(set, ordinal) &&
    pod.metadata?.namespace === set.metadata!.namespace &&
    pod.metadata?.labels?.[STATEFUL_SET_POD_NAME_LABEL] === pod.metadata?.name
  );
}

/** True when every volumeClaimTemplate is mounted from the pod's own claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const templates = set.spec?.volumeClaimTemplates;
  if (!templates?.length) return true;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const claim of templates) {
    const volume = volumes.get(claim.metadata?.name ?? '');
    if (volume?.persistentVolumeClaim?.claimName !== getPersistentVolumeClaimName(set, claim, ordinal)) return false;
  }
  return true;
}

/** The claim of one volumeClaimTemplate for an ordinal: a template copy, selector matchLabels merged over its labels. */
export function newPersistentVolumeClaim(set: StatefulSet, template: PersistentVolumeClaim, ordinal: number): PersistentVolumeClaim {
  const claim = structuredClone(template) as PersistentVolumeClaim & { metadata: NonNullable<PersistentVolumeClaim['metadata']> };
  claim.metadata ??= {};
  claim.metadata.name = getPersistentVolumeClaimName(set, template, ordinal);
  claim.metadata.namespace = set.metadata!.namespace;
  claim.metadata.labels = { ...(claim.metadata.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
  return claim;
}

/** Point the pod's volumes at its claims; template volumes with the same name are replaced, others kept. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  const templates = set.spec?.volumeClaimTemplates ?? [];
  const volumes: Volume[] = templates.map((t) => ({
    name: t.metadata?.name ?? '',
    persistentVolumeClaim: { claimName: getPersistentVolumeClaimName(set, t, ordinal) },
  }));
  const claimed = new Set(volumes.map((v) => v.name));
  for (const v of pod.spec?.volumes ?? []) if (!claimed.has(v.name)) volumes.push(v);
  pod.spec!.volumes = volumes;
}

/** Name, namespace and the identity labels (pod-name, pod-index). */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  const meta = (pod.metadata ??= {});
  meta.name = getPodName(set, ordinal);
  meta.namespace = set.metadata!.namespace;
  meta.labels = { ...(meta.labels ?? {}), [STATEFUL_SET_POD_NAME_LABEL]: meta.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** Identity at creation: also hostname and subdomain, which are immutable afterwards. */
export function initIdentity(set: StatefulSet, pod: Pod): void {
  updateIdentity(set, pod);
  pod.spec!.hostname = pod.metadata!.name;
  pod.spec!.subdomain = set.spec?.serviceName || undefined;
}

export const isRunningAndReady = (pod: Pod): boolean => pod.status?.phase === 'Running' && isPodReady(pod);

export const isRunningAndAvailable = (pod: Pod, minReadySeconds: number, now: number): boolean =>
  pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);

/** Created pods have a phase; the placeholders built for missing ordinals do not. */
export const isCreated = (pod: Pod): boolean => !!pod.status?.phase;
export const isPending = (pod: Pod): boolean => pod.status?.phase === 'Pending';
export const isFailed = (pod: Pod): boolean => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: Pod): boolean => pod.status?.phase === 'Succeeded';
export const isTerminating = (pod: Pod): boolean => !!pod.metadata?.deletionTimestamp;

export const isUnavailable = (pod: Pod, minReadySeconds: number, now: number): boolean =>
  !isRunningAndAvailable(pod, minReadySeconds, now) || isTerminating(pod);

/** Parallel pod management relaxes the ordering of scaling (not of updates). */
export const allowsBurst = (set: StatefulSet): boolean => set.spec?.podManagementPolicy === 'Parallel';

export const getPodRevision = (pod: Pod): string => pod.metadata?.labels?.[STATEFUL_SET_REVISION_LABEL] ?? '';

export function setPodRevision(pod: Pod, revision: string): void {
  const meta = (pod.metadata ??= {});
  meta.labels = { ...(meta.labels ?? {}), [STATEFUL_SET_REVISION_LABEL]: revision };
}

/** controller.GetPodFromTemplate, then the identity and storage of the ordinal. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const pod = getPodFromTemplate(set.spec!.template, set, newControllerRef(set, STATEFUL_SET_KIND));
  pod.metadata!.name = getPodName(set, ordinal);
  initIdentity(set, pod);
  updateStorage(set, pod);
  return pod;
}

/**
 * The pod for a missing ordinal, at the current revision when it sits below the partition (or, with
 * `rollingUpdate` unset, below start + status.currentReplicas), else at the update revision.
 */
export function newVersionedStatefulSetPod(currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const strategy = currentSet.spec?.updateStrategy;
  const start = getStartOrdinal(currentSet);
  const belowCurrent = strategy?.type === 'RollingUpdate' && !strategy.rollingUpdate && ordinal < start + (currentSet.status?.currentReplicas ?? 0);
  const belowPartition = !!strategy?.rollingUpdate && ordinal < start + (strategy.rollingUpdate.partition ?? 0);
  if (belowCurrent || belowPartition) {
    const pod = newStatefulSetPod(currentSet, ordinal);
    setPodRevision(pod, currentRevision);
    return pod;
  }
  const pod = newStatefulSetPod(updateSet, ordinal);
  setPodRevision(pod, updateRevision);
  return pod;
}

export const ascendingOrdinal = (a: Pod, b: Pod): number => getOrdinal(a) - getOrdinal(b);
export const descendingOrdinal = (a: Pod, b: Pod): number => getOrdinal(b) - getOrdinal(a);

/** True when the computed status must be written (a newer generation, or any count or revision differs). */
export function inconsistentStatus(set: StatefulSet, status: StatefulSetStatus): boolean {
  const old = set.status ?? { replicas: 0 };
  return (
    (status.observedGeneration ?? 0) > (old.observedGeneration ?? 0) ||
    status.replicas !== (old.replicas ?? 0) ||
    (status.currentReplicas ?? 0) !== (old.currentReplicas ?? 0) ||
    (status.readyReplicas ?? 0) !== (old.readyReplicas ?? 0) ||
    (status.updatedReplicas ?? 0) !== (old.updatedReplicas ?? 0) ||
    (status.currentRevision ?? '') !== (old.currentRevision ?? '') ||
    (status.availableReplicas ?? 0) !== (old.availableReplicas ?? 0) ||
    (status.updateRevision ?? '') !== (old.updateRevision ?? '')
  );
}

/** Under RollingUpdate, once every replica is updated and ready the update revision becomes current. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  const replicas = getReplicas(set);
  if (
    set.spec?.updateStrategy?.type === 'RollingUpdate' &&
    status.updatedReplicas === replicas &&
    status.readyReplicas === replicas &&
    status.replicas === replicas
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

type Patch = { spec: { template: Record<string, unknown> } };

// Every sync rebuilds the update revision; templates of cached sets are immutable, so their data is built once.
const patches = new WeakMap<object, Patch>();

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/**
 * The revision's data: the set's template with `"$patch":"replace"`, exactly the strategic patch `kubectl
 * rollout undo` sends. The template is encoded as Go encodes it, with `"creationTimestamp":null` in its
 * metadata: the hash covers those bytes, and kubectl compares them to skip a rollback to the current template.
 * The result is shared and must not be changed.
 */
function getPatch(set: StatefulSet): Patch {
  const template = set.spec!.template;
  let patch = patches.get(template);
  if (!patch) {
    const metadata = { ...template.metadata, creationTimestamp: template.metadata?.creationTimestamp ?? null };
    patch = canonicalize({ spec: { template: { ...template, metadata, $patch: 'replace' } } }) as Patch;
    // Frozen, the data of cached templates is hashed once (controller_history keeps its bytes).
    if (Object.isFrozen(template)) patches.set(template, deepFreeze(patch));
  }
  return patch;
}

/** A new revision of the set (not yet stored): template labels plus the hash label, the set's annotations, a controllerRef. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision(set, STATEFUL_SET_KIND, set.spec!.template.metadata?.labels, getPatch(set), revision, collisionCount);
  cr.metadata!.namespace = set.metadata!.namespace;
  const annotations = set.metadata?.annotations;
  if (annotations && Object.keys(annotations).length) cr.metadata!.annotations = { ...annotations };
  return cr;
}

/**
 * The set as of a revision: the revision's template replaces the set's (what the strategic `$patch: replace`
 * does). Shares structure with its inputs, which are read-only.
 */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const { $patch: _, ...template } = (revision.data as { spec: { template: PodTemplateSpec & { $patch?: string } } }).spec.template;
  // The null creationTimestamp of the encoding decodes to the zero time, i.e. no timestamp.
  if (template.metadata?.creationTimestamp === null) {
    const { creationTimestamp: __, ...metadata } = template.metadata;
    template.metadata = metadata;
  }
  return { ...set, spec: { ...set.spec!, template } };
}

/** One more than the highest revision number, or 1. Expects revisions sorted. */
export const nextRevision = (revisions: ControllerRevision[]): number => (revisions.length ? revisions[revisions.length - 1].revision + 1 : 1);
