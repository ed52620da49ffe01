// One pass of deleting a namespace's content (pkg/controller/namespace/deletion/namespaced_resources_deleter.go
// deleteAllContent): delete every object of every namespaced resource, then count what is left, by
// resource and by finalizer, and estimate how long the rest should take to go.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { RESOURCES, type ResourceInfo } from '../../api/resources.js';
import type { Client } from '../../client/client.js';
import type { KubeObject, Stored } from '../../client/objects.js';
import { isStatusError } from '../../machinery/errors.js';
import type { DeletionOutcome } from './deletion_conditions.js';

/** Deletable, listable namespaced resources (discovery.FilteredBy SupportsAllVerbs{delete}, list supported). */
const DELETABLE = RESOURCES.filter((r) => r.namespaced && !r.virtual && r.verbs.includes('delete') && r.verbs.includes('list'));

/** Seconds allowed for finalizers on remaining objects to finish (finalizerEstimateSeconds). */
export const FINALIZER_ESTIMATE_SECONDS = 15;

export interface ContentPass extends DeletionOutcome {
  /** Seconds until the remaining content should be gone; 0 with nothing left (or nothing expected to go). */
  estimate: number;
}

/** Delete everything in namespace `ns` (deleted at `deletedAtMs`) and report what remains. */
export async function deleteAllContent(client: Client, ns: string, deletedAtMs: number, nowMs: number): Promise<ContentPass> {
  const pass: ContentPass = { estimate: 0, deleteErrors: [], totals: { remainingByResource: new Map(), remainingByFinalizer: new Map() } };
  for (const r of DELETABLE) {
    // An error for one resource is kept, and the others are still deleted.
    const res = await deleteAllContentForResource(client, r, ns, deletedAtMs, nowMs).catch((e: unknown) => ({
      estimate: 0,
      remaining: [] as Array<Stored<KubeObject>>,
      error: (e as Error).message,
    }));
    if (res.error) pass.deleteErrors.push(res.error);
    pass.estimate = Math.max(pass.estimate, res.estimate);
    if (res.remaining.length === 0) continue;
    pass.totals.remainingByResource.set(`${r.plural}.${r.group}`, res.remaining.length);
    for (const item of res.remaining) {
      for (const f of item.metadata.finalizers ?? []) {
        pass.totals.remainingByFinalizer.set(f, (pass.totals.remainingByFinalizer.get(f) ?? 0) + 1);
      }
    }
  }
  return pass;
}

interface ResourcePass {
  estimate: number;
  remaining: Array<Stored<KubeObject>>;
  error?: string;
}

/** deleteAllContentForGroupVersionResource. */
async function deleteAllContentForResource(client: Client, r: ResourceInfo, ns: string, deletedAtMs: number, nowMs: number): Promise<ResourcePass> {
  const rc = client.resource<KubeObject>(r);
  const items = (await rc.list(ns)).items;
  const estimate = r.group === '' && r.plural === 'pods' ? podEstimate(items as Array<Stored<Pod>>, deletedAtMs, nowMs) : 0;
  for (const item of items) {
    // Already going: deleting again would only rewrite its deletion finalizers.
    if (item.metadata.deletionTimestamp) continue;
    try {
      // Default options: a pod gets its own grace period, and the namespace waits for it.
      await rc.delete(ns, item.metadata.name, { propagationPolicy: 'Background' });
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'MethodNotAllowed')) throw e;
    }
  }
  const remaining = (await rc.list(ns)).items;
  if (remaining.length === 0 || estimate > 0) return { estimate, remaining };
  if (remaining.some((item) => item.metadata.finalizers?.length)) return { estimate: FINALIZER_ESTIMATE_SECONDS, remaining };
  return { estimate, remaining, error: `unexpected items still remain in namespace: ${ns} for gvr: ${r.group}/${r.version}, Resource=${r.plural}` };
}

/**
 * estimateGracefulTerminationForPods: the longest grace period of the pods still running, or 0 once
 * that long has passed since the namespace was deleted.
 */
function podEstimate(pods: Array<Stored<Pod>>, deletedAtMs: number, nowMs: number): number {
  let estimate = 0;
  for (const pod of pods) {
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    estimate = Math.max(estimate, pod.spec?.terminationGracePeriodSeconds ?? 0);
  }
  return nowMs - deletedAtMs >= estimate * 1000 ? 0 : estimate;
}
