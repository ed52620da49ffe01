// Writes a computed StatefulSetStatus through the status subresource (stateful_set_status_updater.go),
// retrying on conflict (retry.DefaultRetry) against a fresh copy of the set.

import type { StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import { REFS, type Client } from '../../client/client.js';
import { retryOnConflict } from '../../client/retry.js';
import type { Clock } from '../../machinery/clock.js';

/** The status as the API serialises it: zero counts and empty revisions are omitted, except `replicas` and `availableReplicas`. */
export function wireStatus(status: StatefulSetStatus): StatefulSetStatus {
  const out: StatefulSetStatus = { replicas: status.replicas };
  if (status.observedGeneration) out.observedGeneration = status.observedGeneration;
  if (status.readyReplicas) out.readyReplicas = status.readyReplicas;
  if (status.currentReplicas) out.currentReplicas = status.currentReplicas;
  if (status.updatedReplicas) out.updatedReplicas = status.updatedReplicas;
  if (status.currentRevision) out.currentRevision = status.currentRevision;
  if (status.updateRevision) out.updateRevision = status.updateRevision;
  if (status.collisionCount !== undefined) out.collisionCount = status.collisionCount;
  if (status.conditions?.length) out.conditions = status.conditions;
  out.availableReplicas = status.availableReplicas ?? 0;
  return out;
}

export class StatefulSetStatusUpdater {
  constructor(
    private client: Client,
    private clock: Clock,
  ) {}

  async updateStatefulSetStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    let current = structuredClone(set);
    let stale = false;
    await retryOnConflict(this.clock, async () => {
      if (stale) current = structuredClone(await this.client.resource(REFS.statefulsets).get(current.metadata!.namespace!, current.metadata!.name!));
      stale = true;
      current.status = wireStatus(status);
      await this.client.resource(REFS.statefulsets).updateStatus(current.metadata!.namespace!, current);
    });
  }
}
