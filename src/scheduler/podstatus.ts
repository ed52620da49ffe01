// The scheduler's write of the PodScheduled condition (schedule_one.go updatePod with
// podutil.UpdatePodCondition): only when status, reason or message change; the transition time moves
// only when the status does.

import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../client/client.js';
import type { Stored } from '../client/objects.js';
import { retryOnConflict } from '../client/retry.js';
import { rfc3339, type Clock } from '../machinery/clock.js';
import { isStatusError } from '../machinery/errors.js';
import type { Mutable } from '../machinery/objects.js';

export interface PodScheduledCondition {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

function current(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
}

export function conditionChanged(pod: Pod, cond: PodScheduledCondition): boolean {
  const old = current(pod);
  return !old || old.status !== cond.status || old.reason !== cond.reason || old.message !== cond.message || !!old.lastProbeTime;
}

/** Upstream serialises the unset lastProbeTime as null, so the written condition carries a null. */
type WrittenCondition = Omit<PodCondition, 'lastProbeTime'> & { lastProbeTime: null };

function withCondition(pod: Stored<Pod>, cond: PodScheduledCondition, now: string, nominated: string | undefined): Stored<Pod> {
  const next: Mutable<Stored<Pod>> = structuredClone(pod);
  next.status ??= {};
  if (nominated) next.status.nominatedNodeName = nominated;
  else if (nominated === '') delete next.status.nominatedNodeName;
  const conditions: Array<PodCondition | WrittenCondition> = (next.status.conditions ??= []);
  const i = conditions.findIndex((c) => c.type === 'PodScheduled');
  const old = conditions[i];
  const lastTransitionTime = old && old.status === cond.status ? old.lastTransitionTime : now;
  const c: WrittenCondition = { type: 'PodScheduled', status: cond.status, lastProbeTime: null, lastTransitionTime, reason: cond.reason, message: cond.message };
  if (i >= 0) conditions[i] = c;
  else conditions.push(c);
  return next;
}

/** ModeOverride with a different value: `nominated` undefined leaves the field alone, '' clears it. */
const nominationChanged = (pod: Pod, nominated: string | undefined) => nominated !== undefined && (pod.status?.nominatedNodeName ?? '') !== nominated;

/**
 * Write the condition (and status.nominatedNodeName, when given) unless already there, re-reading the
 * pod on conflicts; gives up if the pod is gone, replaced or bound meanwhile.
 */
export async function updatePodScheduled(client: Client, clock: Clock, pod: Stored<Pod>, cond: PodScheduledCondition, nominated?: string): Promise<void> {
  let stale = false;
  await retryOnConflict(clock, async () => {
    const pods = client.resource(REFS.pods);
    let latest = pod;
    try {
      if (stale) {
        latest = await pods.get(pod.metadata.namespace!, pod.metadata.name);
        if (latest.metadata.uid !== pod.metadata.uid || latest.spec?.nodeName) return;
      }
      stale = true;
      if (!conditionChanged(latest, cond) && !nominationChanged(latest, nominated)) return;
      await pods.updateStatus(latest.metadata.namespace!, withCondition(latest, cond, rfc3339(clock.now()), nominated));
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  });
}
