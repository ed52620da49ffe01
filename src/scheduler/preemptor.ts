// The evictions of a preemption (framework/preemption prepareCandidate and PreemptPod): each victim gets
// DisruptionTarget=True/PreemptionByScheduler, is deleted gracefully and gets a Preempted event; then
// lower-priority pods nominated to the same node lose their nomination, since they may no longer fit.

import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import type { Stored } from '../client/objects.js';
import { rfc3339, type Clock } from '../machinery/clock.js';
import { isStatusError } from '../machinery/errors.js';
import type { PodInfo } from './nodeinfo.js';
import type { Candidate } from './preemption.js';

export interface PreemptionDeps {
  client: Client;
  clock: Clock;
  recorder: EventRecorder;
}

const podRef = (pod: Stored<Pod>) => ({ kind: 'Pod', apiVersion: 'v1', metadata: pod.metadata });

/** The victim's condition; upstream names the preemptor's scheduler in the message. */
export function disruptionTarget(preemptor: Pod, now: string): PodCondition {
  return {
    type: 'DisruptionTarget',
    status: 'True',
    lastTransitionTime: now,
    reason: 'PreemptionByScheduler',
    message: `${preemptor.spec?.schedulerName || 'default-scheduler'}: preempting to accommodate a higher priority pod`,
  };
}

/** UpdatePodCondition's test: does writing `c` change the pod's condition of that type? */
function conditionChanges(pod: Pod, c: PodCondition): boolean {
  const old = pod.status?.conditions?.find((x) => x.type === c.type);
  return !old || old.status !== c.status || old.reason !== c.reason || old.message !== c.message;
}

async function preemptPod(deps: PreemptionDeps, preemptor: Stored<Pod>, victim: Stored<Pod>, nodeName: string): Promise<void> {
  const pods = deps.client.resource(REFS.pods);
  const { namespace, name } = victim.metadata;
  const cond = disruptionTarget(preemptor, rfc3339(deps.clock.now()));
  try {
    // A strategic merge patch merges conditions by type, leaving the kubelet's alone.
    if (conditionChanges(victim, cond)) await pods.patch(namespace!, name, 'strategic', { status: { conditions: [cond] } }, 'status');
    await pods.delete(namespace!, name, { preconditions: { uid: victim.metadata.uid } });
  } catch (e) {
    // Already gone: nothing left to do, and no event either.
    if (isStatusError(e, 'NotFound') || isStatusError(e, 'Conflict')) return;
    throw e;
  }
  deps.recorder.event(podRef(victim), 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata.uid} on node ${nodeName}`);
}

/** clearNominatedNodeName for one pod. */
export async function clearNominatedNodeName(client: Client, pod: Stored<Pod>): Promise<void> {
  if (!pod.status?.nominatedNodeName) return;
  try {
    await client.resource(REFS.pods).patch(pod.metadata.namespace!, pod.metadata.name, 'merge', { status: { nominatedNodeName: null } }, 'status');
  } catch (e) {
    if (!isStatusError(e, 'NotFound')) throw e;
  }
}

/**
 * prepareCandidate: evict the victims (those already being deleted are left to finish), then clear
 * the nominations of `lowerNominated`. A failed eviction rejects; clearing nominations is best effort.
 */
export async function prepareCandidate(deps: PreemptionDeps, preemptor: Stored<Pod>, c: Candidate, lowerNominated: PodInfo[]): Promise<void> {
  const victims = c.victims.pods.filter((v) => !v.terminating);
  await Promise.all(victims.map((v) => preemptPod(deps, preemptor, v.pod, c.nodeName)));
  await Promise.allSettled(lowerNominated.map((p) => clearNominatedNodeName(deps.client, p.pod)));
}
