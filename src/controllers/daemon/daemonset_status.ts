// DaemonSet status (updateDaemonSetStatus, storeDaemonSetStatus in daemon_controller.go): the counts
// `kubectl rollout status ds` reads, from the oldest daemon pod on each node.

import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { Mutable } from '../../machinery/objects.js';
import { isPodAvailable, isPodReady } from '../controller_utils.js';
import { comparePodsByCreationTimestampAndPhase, isDaemonPodUpdated } from './daemonset_util.js';
import { nodeShouldRunDaemonPod } from './node_should_run.js';

export type StatusCounts = Pick<
  DaemonSetStatus,
  'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' | 'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'
>;

export function computeStatus(ds: DaemonSet, nodes: Node[], nodeToDaemonPods: Map<string, Pod[]>, hash: string, now: number): Required<StatusCounts> {
  const c = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  for (const node of nodes) {
    const pods = nodeToDaemonPods.get(node.metadata!.name!) ?? [];
    const scheduled = pods.length > 0;
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    const pod = [...pods].sort(comparePodsByCreationTimestampAndPhase)[0];
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) c.numberAvailable++;
    }
    if (isDaemonPodUpdated(ds, pod, hash)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

const unchanged = (s: DaemonSetStatus | undefined, c: Required<StatusCounts>): boolean =>
  !!s && (Object.keys(c) as Array<keyof StatusCounts>).every((k) => (s[k] ?? 0) === c[k]);

/** Write the counts (and observedGeneration when asked); one retry on a fresh read after a failed update (StatusUpdateRetries). */
export async function storeDaemonSetStatus(client: Client, ds: DaemonSet, counts: Required<StatusCounts>, updateObservedGen: boolean): Promise<void> {
  const generation = ds.metadata?.generation ?? 0;
  if (unchanged(ds.status, counts) && (!updateObservedGen || (ds.status?.observedGeneration ?? 0) >= generation)) return;
  const api = client.resource(REFS.daemonsets);
  let toUpdate: Mutable<DaemonSet> = structuredClone(ds);
  for (let attempt = 0; ; attempt++) {
    const status: DaemonSetStatus = { ...(toUpdate.status ?? {}), ...counts };
    if (updateObservedGen) status.observedGeneration = generation;
    toUpdate.status = status;
    try {
      await api.updateStatus(ds.metadata!.namespace!, toUpdate);
      return;
    } catch (e) {
      if (attempt >= 1) throw e;
      toUpdate = structuredClone(await api.get(ds.metadata!.namespace!, ds.metadata!.name!));
    }
  }
}
