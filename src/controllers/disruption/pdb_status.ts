// The status computation of the disruption controller (pkg/controller/disruption/disruption.go#trySync,
// getExpectedPodCount, getExpectedScale, buildDisruptedPodMap, countHealthyPods, updatePdbStatus, failSafe and
// component-helpers apps/poddisruptionbudget): no I/O, the controller supplies pods, controller scales and time.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Condition, LabelSelector, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { rfc3339 } from '../../machinery/clock.js';
import { fromLabelSelector, matches } from '../../machinery/labels.js';
import { deepEqual } from '../../machinery/objects.js';
import { getControllerOf, isPodReady } from '../controller_utils.js';

/** DeletionTimeout: how long an evicted pod (status.disruptedPods) may take to get a deletionTimestamp. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SUFFICIENT_PODS = 'SufficientPods';
export const INSUFFICIENT_PODS = 'InsufficientPods';
export const SYNC_FAILED = 'SyncFailed';

/** A controller found for a controllerRef, and its desired scale. */
export interface ControllerScale {
  uid: string;
  scale: number;
}

/** Finds the controller a pod's controllerRef names (same uid), or undefined when there is none. */
export type ControllerFinder = (ref: OwnerReference, namespace: string) => ControllerScale | undefined;

export interface PdbSyncResult {
  /** The status to write: the computed one, or the fail-safe one when `error` is set. */
  status: PodDisruptionBudgetStatus;
  /** Whether the PDB's current status already says all this (no write needed). */
  upToDate: boolean;
  /** Why the expected pod count could not be computed (the fail-safe status then applies). */
  error?: string;
  /** Names of selected pods without a controllerRef (expectedPods cannot count them). */
  unmanagedPods: string[];
  /** Pods evicted more than DeletionTimeout ago that still are not being deleted. */
  notDeleted: Pod[];
  /** When the earliest remaining disruptedPods entry expires (ms), if any. */
  recheckAt?: number;
}

/** metav1.LabelSelectorAsSelector for PDBs (policy/v1): a null selector selects nothing, an empty one everything. */
export function selectsPod(pdb: PodDisruptionBudget, pod: Pod): boolean {
  const sel = pdb.spec?.selector;
  if (sel == null) return false;
  return matches(fromLabelSelector(sel), pod.metadata?.labels);
}

/** intstr.GetScaledValueFromIntOrPercent with roundUp: a string must be a percentage. */
function scaledValueRoundUp(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

/** getExpectedScale: the sum of the scales of the distinct controllers of the pods. */
function expectedScale(pods: Pod[], find: ControllerFinder): { expected: number; unmanaged: string[] } {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = getControllerOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata?.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = find(ref, pod.metadata?.namespace ?? '');
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata?.name}"`);
    scales.set(found.uid, found.scale);
  }
  let expected = 0;
  for (const s of scales.values()) expected += s;
  return { expected, unmanaged };
}

/** getExpectedPodCount. */
function expectedPodCount(pdb: PodDisruptionBudget, pods: Pod[], find: ControllerFinder): { expected: number; desired: number; unmanaged: string[] } {
  const { maxUnavailable, minAvailable } = pdb.spec ?? {};
  if (maxUnavailable != null) {
    const { expected, unmanaged } = expectedScale(pods, find);
    const desired = Math.max(0, expected - scaledValueRoundUp(maxUnavailable, expected));
    return { expected, desired, unmanaged };
  }
  if (typeof minAvailable === 'number') return { expected: pods.length, desired: minAvailable, unmanaged: [] };
  if (typeof minAvailable === 'string') {
    const { expected, unmanaged } = expectedScale(pods, find);
    return { expected, desired: scaledValueRoundUp(minAvailable, expected), unmanaged };
  }
  return { expected: 0, desired: 0, unmanaged: [] };
}

const parseTime = (t: string): number => Date.parse(t);

/** buildDisruptedPodMap: keep the entries of selected pods not yet being deleted and not expired. */
function buildDisruptedPodMap(pdb: PodDisruptionBudget, pods: Pod[], now: number): { disrupted: Record<string, string>; notDeleted: Pod[]; recheckAt?: number } {
  const previous = pdb.status?.disruptedPods;
  const disrupted: Record<string, string> = {};
  const notDeleted: Pod[] = [];
  let recheckAt: number | undefined;
  if (!previous) return { disrupted, notDeleted };
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const name = pod.metadata?.name ?? '';
    if (!Object.prototype.hasOwnProperty.call(previous, name)) continue;
    const expectedDeletion = parseTime(previous[name]) + DELETION_TIMEOUT_MS;
    if (expectedDeletion < now) {
      notDeleted.push(pod);
      continue;
    }
    if (recheckAt === undefined || expectedDeletion < recheckAt) recheckAt = expectedDeletion;
    disrupted[name] = previous[name];
  }
  return { disrupted, notDeleted, recheckAt };
}

/** countHealthyPods: Ready pods neither being deleted nor recently evicted. */
function countHealthyPods(pods: Pod[], disrupted: Record<string, string>, now: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = disrupted[pod.metadata?.name ?? ''];
    if (at !== undefined && parseTime(at) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

/** apimeta.SetStatusCondition: lastTransitionTime changes only with the status. */
export function setStatusCondition(conditions: Condition[], next: Omit<Condition, 'lastTransitionTime'>, now: number): Condition[] {
  const i = conditions.findIndex((c) => c.type === next.type);
  if (i < 0) return [...conditions, { ...next, lastTransitionTime: rfc3339(now) }];
  const old = conditions[i];
  const lastTransitionTime = old.status === next.status ? old.lastTransitionTime : rfc3339(now);
  const out = [...conditions];
  out[i] = { type: next.type, status: next.status, observedGeneration: next.observedGeneration, lastTransitionTime, reason: next.reason, message: next.message };
  return out;
}

/** pdbhelper.ConditionsAreUpToDate. */
function conditionsAreUpToDate(pdb: PodDisruptionBudget): boolean {
  const cond = pdb.status?.conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
  if (!cond || (pdb.status?.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false;
  if ((pdb.status?.disruptionsAllowed ?? 0) > 0) return cond.status === 'True' && cond.reason === SUFFICIENT_PODS;
  return cond.status === 'False' && cond.reason === INSUFFICIENT_PODS;
}

const sameMap = (a: Record<string, string> | undefined, b: Record<string, string>) => deepEqual(a ?? {}, b);

/** failSafe: disruptionsAllowed 0 and DisruptionAllowed=False/SyncFailed, the rest of the status as it was. */
export function failSafeStatus(pdb: PodDisruptionBudget, message: string, now: number): PodDisruptionBudgetStatus {
  const status: PodDisruptionBudgetStatus = { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0, ...structuredClone(pdb.status) };
  status.disruptionsAllowed = 0;
  status.conditions = setStatusCondition(
    status.conditions ?? [],
    { type: DISRUPTION_ALLOWED, status: 'False', reason: SYNC_FAILED, message, observedGeneration: status.observedGeneration ?? 0 },
    now,
  );
  return status;
}

/** One sync of a PDB over the pods its selector matches (in its namespace, terminating and terminal ones included). */
export function computePdbStatus(pdb: PodDisruptionBudget, pods: Pod[], find: ControllerFinder, now: number): PdbSyncResult {
  let counts: ReturnType<typeof expectedPodCount>;
  try {
    counts = expectedPodCount(pdb, pods, find);
  } catch (e) {
    const error = (e as Error).message;
    const status = failSafeStatus(pdb, error, now);
    return { status, upToDate: deepEqual(pdb.status ?? {}, status), error, unmanagedPods: [], notDeleted: [] };
  }
  const { expected, desired, unmanaged } = counts;
  const { disrupted, notDeleted, recheckAt } = buildDisruptedPodMap(pdb, pods, now);
  const currentHealthy = countHealthyPods(pods, disrupted, now);
  // expectedPods > 0 keeps a PDB whose first pods just appeared safe until this controller has counted them.
  let disruptionsAllowed = currentHealthy - desired;
  if (expected <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;

  const old: Partial<PodDisruptionBudgetStatus> = pdb.status ?? {};
  const generation = pdb.metadata?.generation ?? 0;
  const upToDate =
    (old.currentHealthy ?? 0) === currentHealthy &&
    (old.desiredHealthy ?? 0) === desired &&
    (old.expectedPods ?? 0) === expected &&
    (old.disruptionsAllowed ?? 0) === disruptionsAllowed &&
    sameMap(old.disruptedPods, disrupted) &&
    (old.observedGeneration ?? 0) === generation &&
    conditionsAreUpToDate(pdb);

  const status: PodDisruptionBudgetStatus = {
    currentHealthy,
    desiredHealthy: desired,
    expectedPods: expected,
    disruptionsAllowed,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    ...(generation ? { observedGeneration: generation } : {}),
  };
  const allowed = disruptionsAllowed > 0;
  status.conditions = setStatusCondition(
    structuredClone(old.conditions ?? []),
    { type: DISRUPTION_ALLOWED, status: allowed ? 'True' : 'False', reason: allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS, message: '', observedGeneration: generation },
    now,
  );
  return { status, upToDate, unmanagedPods: unmanaged, notDeleted, recheckAt };
}

/** Go's %v of a *metav1.LabelSelector (its generated String()), as the UnmanagedPods event prints it. */
export function labelSelectorString(sel: LabelSelector | undefined): string {
  if (!sel) return 'nil';
  const labels = Object.keys(sel.matchLabels ?? {})
    .sort()
    .map((k) => `${k}: ${sel.matchLabels![k]},`)
    .join('');
  const exprs = (sel.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

/** The UnmanagedPods warning upstream records on the PDB. */
export const unmanagedPodsMessage = (pdb: PodDisruptionBudget): string =>
  `Pods selected by this PodDisruptionBudget (selector: ${labelSelectorString(pdb.spec?.selector)}) were found ` +
  'to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. ' +
  'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.';
