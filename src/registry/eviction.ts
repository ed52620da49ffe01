// pods/eviction: a pod delete that honours the PodDisruptionBudget covering the pod
// (pkg/registry/core/pod/storage/eviction.go EvictionREST.Create).

import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { lookupResource } from '../api/resources.js';
import { rfc3339 } from '../machinery/clock.js';
import { badRequest, conflict, forbidden, internalError, isStatusError, StatusError, tooManyRequests, type Status } from '../machinery/errors.js';
import { fromLabelSelector, matches, type LabelSelector } from '../machinery/labels.js';
import { clone, deepEqual, isPlainObject } from '../machinery/objects.js';
import type { KObject } from '../storage/store.js';
import type { DeleteOptions, WriteOptions } from './options.js';
import type { Registry } from './rest.js';

const PODS = lookupResource('', 'v1', 'pods')!;
const PDBS = lookupResource('policy', 'v1', 'poddisruptionbudgets')!;

/** MaxDisruptedPodSize: evictions approved but not yet seen by the disruption controller. */
export const MAX_DISRUPTED_POD_SIZE = 2000;
/** EvictionsRetry's steps. The 500 ms pause between them is left out: a retry first catches the cache up. */
const EVICTION_RETRIES = 20;

const ACCEPTED_VERSIONS = ['policy/v1', 'policy/v1beta1'];
/** How the conflicts of the condition write name the resource (schema.GroupResource{Resource: "Pod"}). */
const POD_RESOURCE = { group: '', plural: 'Pod' };
/** errors.NewForbidden(policy.Resource("poddisruptionbudget"), …). */
const PDB_RESOURCE = { group: 'policy', plural: 'poddisruptionbudget' };

type StoredPod = Pod & KObject;
type StoredPdb = PodDisruptionBudget & KObject;

interface Eviction {
  metadata?: { name?: string };
  deleteOptions?: DeleteOptions | null;
}

/** A Status the handler returned rather than failed with: Go leaves its empty reason out. */
class ReturnedFailure extends StatusError {
  override toStatus(): Status {
    const s = super.toStatus();
    delete s.reason;
    return s;
  }
}

export async function evictPod(reg: Registry, ns: string, name: string, body: unknown, opts: WriteOptions = {}): Promise<Status> {
  const eviction = checkEviction(body);
  if (eviction.metadata?.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const options = deleteOptionsOf(eviction, !!opts.dryRun);
  const dryRun = !!options.dryRun?.includes('All');
  await reg.store.fresh();

  const rvUnset = !options.preconditions?.resourceVersion;
  let pod: StoredPod;
  // A conflict with a pod that changed since it was read is retried, unless the caller named a resourceVersion.
  for (let attempt = 1; ; attempt++) {
    pod = reg.get(PODS, ns, name) as StoredPod;
    if (!canIgnorePDB(pod)) break;
    const del = shouldEnforceResourceVersion(pod) && rvUnset ? withResourceVersion(options, pod.metadata.resourceVersion!) : options;
    try {
      await addConditionAndDeletePod(reg, ns, name, del, dryRun);
      return success();
    } catch (e) {
      if (!rvUnset || !isStatusError(e, 'Conflict') || attempt >= EVICTION_RETRIES) throw e;
      await reg.store.fresh();
    }
  }

  const pdbs = matchingBudgets(reg, pod);
  if (pdbs.length > 1)
    throw new ReturnedFailure(500, '', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  let unreadyShortcut = false;
  const pdb = pdbs[0];
  if (pdb) {
    unreadyShortcut = !isPodReady(pod) && unhealthyMayGo(pdb);
    if (!unreadyShortcut) await decrementBudget(reg, pdb, pod.metadata.name!, dryRun);
  }

  // The unready shortcut did not count the pod: it must still be the pod that was judged unready.
  const del = unreadyShortcut ? withResourceVersion(options, pod.metadata.resourceVersion!) : options;
  try {
    await addConditionAndDeletePod(reg, ns, name, del, dryRun);
  } catch (e) {
    if (isStatusError(e, 'Conflict') && unreadyShortcut && rvUnset) throw stillProcessing(pdb!.metadata.name!);
    throw e;
  }
  return success();
}

function success(): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

/** The body as the decoder accepts it: a policy/v1 or policy/v1beta1 Eviction (AcceptsGroupVersion). */
function checkEviction(body: unknown): Eviction {
  if (!isPlainObject(body)) throw badRequest('the object provided is unrecognized (must be of type Eviction)');
  if (body.apiVersion !== undefined && !ACCEPTED_VERSIONS.includes(String(body.apiVersion)))
    throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (policy/v1)`);
  if (body.kind !== undefined && body.kind !== 'Eviction')
    throw badRequest(`the object provided is unrecognized (must be of type Eviction): couldn't get version/kind; json parse error: kind ${JSON.stringify(body.kind)} is not Eviction`);
  if (body.metadata !== undefined && body.metadata !== null && !isPlainObject(body.metadata)) throw badRequest('metadata must be an object');
  if (body.deleteOptions !== undefined && body.deleteOptions !== null && !isPlainObject(body.deleteOptions)) throw badRequest('deleteOptions must be an object');
  return body as Eviction;
}

/** propagateDryRun: the request's dryRun goes into the eviction's delete options; the two must agree. */
function deleteOptionsOf(eviction: Eviction, queryDryRun: boolean): DeleteOptions {
  const options: DeleteOptions = {};
  for (const [k, v] of Object.entries(eviction.deleteOptions ?? {})) if (v !== null) (options as Record<string, unknown>)[k] = v;
  const query = queryDryRun ? ['All'] : [];
  if (!options.dryRun?.length) {
    if (query.length) options.dryRun = query;
  } else if (query.length && !deepEqual(query, options.dryRun)) {
    throw internalError(`Non-matching dry-run options in request and content: [${query.join(' ')}] and [${options.dryRun.join(' ')}]`);
  }
  // rest.BeforeDelete: a negative grace period is one second.
  if (options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0) options.gracePeriodSeconds = 1;
  return options;
}

function withResourceVersion(options: DeleteOptions, resourceVersion: string): DeleteOptions {
  return { ...options, preconditions: { ...(options.preconditions ?? {}), resourceVersion } };
}

/** A terminal or pending pod disrupts nothing more by going, nor does one already being deleted. */
function canIgnorePDB(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata?.deletionTimestamp;
}

/** A pending pod must not become ready (and count) between the read and the delete. */
function shouldEnforceResourceVersion(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata?.deletionTimestamp);
}

function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** An unready pod goes without using the budget under AlwaysAllow, or (IfHealthyBudget) while the budget is met. */
function unhealthyMayGo(pdb: PodDisruptionBudget): boolean {
  if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true;
  const desired = pdb.status?.desiredHealthy ?? 0;
  return (pdb.status?.currentHealthy ?? 0) >= desired && desired > 0;
}

/** getPodDisruptionBudgets: policy/v1 lets an empty selector match every pod; a missing one matches none. */
function matchingBudgets(reg: Registry, pod: StoredPod): StoredPdb[] {
  const ns = pod.metadata.namespace ?? '';
  return (reg.list(PDBS, ns).items as StoredPdb[]).filter((pdb) => {
    const sel = pdb.spec?.selector as LabelSelector | undefined;
    if (!sel) return false;
    if (sel.matchExpressions?.some((e) => !['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator))) return false;
    return matches(fromLabelSelector(sel), pod.metadata.labels);
  });
}

/** createTooManyRequestsError: the budget's status is behind its spec, or the pod changed under the eviction. */
function stillProcessing(pdbName: string): StatusError {
  return tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdbName} is still being processed by the server.` }], 10);
}

/** checkAndDecrement, retried on a conflict with the budget read again. */
async function decrementBudget(reg: Registry, first: StoredPdb, podName: string, dryRun: boolean): Promise<void> {
  const ns = first.metadata.namespace ?? '';
  let pdb = first;
  for (let attempt = 1; ; attempt++) {
    try {
      await checkAndDecrement(reg, pdb, podName, dryRun);
      return;
    } catch (e) {
      if (!isStatusError(e, 'Conflict') || attempt >= EVICTION_RETRIES) throw e;
      await reg.store.fresh();
      pdb = reg.get(PDBS, ns, pdb.metadata.name!) as StoredPdb;
    }
  }
}

/**
 * Take one disruption from the budget. The status write is conditional on the resourceVersion the budget
 * was read at: of evictions that read the same budget only one can spend it, the others read it again.
 */
async function checkAndDecrement(reg: Registry, stored: StoredPdb, podName: string, dryRun: boolean): Promise<void> {
  const name = stored.metadata.name!;
  const status = stored.status ?? { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  if ((status.observedGeneration ?? 0) < (stored.metadata.generation ?? 0)) throw stillProcessing(name);
  if (status.disruptionsAllowed < 0) throw forbidden(PDB_RESOURCE, name, 'pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE)
    throw forbidden(PDB_RESOURCE, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (status.disruptionsAllowed === 0)
    throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", [
      { reason: 'DisruptionBudget', message: `The disruption budget ${name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently` },
    ]);
  if (dryRun) return;
  const now = reg.clock.now();
  const pdb = clone(stored);
  const next = pdb.status!;
  next.disruptionsAllowed--;
  if (next.disruptionsAllowed === 0) next.conditions = insufficientPods(next.conditions ?? [], next.observedGeneration ?? 0, now);
  next.disruptedPods = { ...(next.disruptedPods ?? {}), [podName]: rfc3339(now) };
  await reg.update(PDBS, pdb.metadata.namespace ?? '', name, pdb, {}, 'status');
}

/** pdbhelper.UpdateDisruptionAllowedCondition at zero disruptions, through apimeta.SetStatusCondition. */
function insufficientPods(conditions: Condition[], observedGeneration: number, now: number): Condition[] {
  const next = { type: 'DisruptionAllowed', status: 'False', observedGeneration, reason: 'InsufficientPods', message: '' };
  const i = conditions.findIndex((c) => c.type === next.type);
  if (i < 0) return [...conditions, { ...next, lastTransitionTime: rfc3339(now) }];
  const old = conditions[i];
  const lastTransitionTime = old.status === next.status ? old.lastTransitionTime : rfc3339(now);
  return conditions.map((c, j) => (j === i ? { ...next, lastTransitionTime } : c));
}

/**
 * Mark the pod DisruptionTarget (not in dry-run) on its newest version, then delete it through the
 * registry's ordinary (graceful) delete.
 */
async function addConditionAndDeletePod(reg: Registry, ns: string, name: string, options: DeleteOptions, dryRun: boolean): Promise<void> {
  let del = options;
  if (!dryRun) {
    const updated = await addDisruptionTarget(reg, ns, name, options);
    // The condition write moved the pod on: a resourceVersion precondition follows it.
    if (options.preconditions?.resourceVersion) del = withResourceVersion(options, updated.metadata.resourceVersion!);
  }
  await reg.delete(PODS, ns, name, del, { dryRun });
}

/** GuaranteedUpdate of the pod status with the condition added, checking the delete preconditions on each read. */
async function addDisruptionTarget(reg: Registry, ns: string, name: string, options: DeleteOptions): Promise<KObject> {
  for (let attempt = 1; ; attempt++) {
    const latest = reg.get(PODS, ns, name) as StoredPod;
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid && uid !== latest.metadata.uid)
      throw conflict(POD_RESOURCE, name, `the UID in the precondition (${uid}) does not match the UID in record (${latest.metadata.uid}). The object might have been deleted and then recreated`);
    if (resourceVersion && resourceVersion !== latest.metadata.resourceVersion)
      throw conflict(POD_RESOURCE, name, `the ResourceVersion in the precondition (${resourceVersion}) does not match the ResourceVersion in record (${latest.metadata.resourceVersion}). The object might have been modified`);
    const next: KObject = { ...clone(latest), status: { ...(latest.status ?? {}), conditions: withDisruptionTarget(latest.status?.conditions ?? [], reg.clock.now()) } };
    try {
      return await reg.update(PODS, ns, name, next, {}, 'status');
    } catch (e) {
      if (!isStatusError(e, 'Conflict') || attempt >= EVICTION_RETRIES) throw e;
      await reg.store.fresh();
    }
  }
}

/** podutil.UpdatePodCondition with DisruptionTarget=True: lastTransitionTime moves only with the status. */
function withDisruptionTarget(conditions: PodCondition[], now: number): PodCondition[] {
  const old = conditions.find((c) => c.type === 'DisruptionTarget');
  const lastTransitionTime = old?.status === 'True' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
  // lastProbeTime is written as null, as the real server does.
  const cond = { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime, reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' } as unknown as PodCondition;
  return old ? conditions.map((c) => (c === old ? cond : c)) : [...conditions, cond];
}
