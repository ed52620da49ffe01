// What the ReplicaSet controller computes (replica_set_utils.go): the two kinds it drives, the status of a
// set from its pods, the ReplicaFailure condition, and slowStartBatch from controller_utils.go.

import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import { REFS, type TypedRef } from '../../client/client.js';
import { rfc3339 } from '../../machinery/clock.js';
import { fromLabelSelector, matches, type Selector } from '../../machinery/labels.js';
import { deepEqual } from '../../machinery/objects.js';
import { isPodAvailable, isPodReady, type GroupVersionKind } from '../controller_utils.js';

/** A ReplicationController is a ReplicaSet with a plain label map for a selector (pkg/controller/replication). */
export type ReplicaSetLike = ReplicaSet | ReplicationController;

export interface SetKind {
  gvk: GroupVersionKind;
  ref: TypedRef<ReplicaSetLike>;
  /** The event source component and work queue name of the controller upstream. */
  component: string;
  queueName: string;
  /** The pod selector, or undefined when it selects nothing (absent) or does not convert. */
  selector(set: ReplicaSetLike): Selector | undefined;
}

const REPLICATION_CONTROLLERS: TypedRef<ReplicationController> = { group: '', version: 'v1', plural: 'replicationcontrollers' };

export const KINDS: Record<'ReplicaSet' | 'ReplicationController', SetKind> = {
  ReplicaSet: {
    gvk: { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
    ref: REFS.replicasets as TypedRef<ReplicaSetLike>,
    component: 'replicaset-controller',
    queueName: 'replicaset',
    selector(set) {
      const ls = (set as ReplicaSet).spec?.selector;
      if (!ls) return undefined;
      try {
        return fromLabelSelector(ls);
      } catch {
        return undefined;
      }
    },
  },
  ReplicationController: {
    gvk: { apiVersion: 'v1', kind: 'ReplicationController' },
    ref: REPLICATION_CONTROLLERS as TypedRef<ReplicaSetLike>,
    component: 'replication-controller',
    queueName: 'replicationmanager',
    selector(set) {
      const map = (set as ReplicationController).spec?.selector;
      return map ? fromLabelSelector({ matchLabels: map }) : undefined;
    },
  },
};

export const getReplicas = (set: ReplicaSetLike): number => set.spec?.replicas ?? 1;

/** BurstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;

/** SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/**
 * slowStartBatch: call `fn` `count` times in batches of 1, 2, 4, ... (each batch in parallel) and stop
 * after the first batch with a failure, so a create that fails for every pod fails only once.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failures.length;
    if (failures.length) return { successes, error: failures[0].reason };
    remaining -= batch;
  }
  return { successes };
}

export const REPLICA_FAILURE = 'ReplicaFailure';

/** calculateStatus: counts over the active pods the set owns, and ReplicaFailure after a failed create or delete. */
export function calculateStatus(set: ReplicaSetLike, filteredPods: Pod[], manageReplicasErr: unknown, now: number): ReplicaSetStatus {
  const templateLabels = fromLabelSelector({ matchLabels: set.spec?.template?.metadata?.labels ?? {} });
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;
  let fullyLabeledReplicas = 0;
  let readyReplicas = 0;
  let availableReplicas = 0;
  for (const pod of filteredPods) {
    if (matches(templateLabels, pod.metadata?.labels)) fullyLabeledReplicas++;
    if (isPodReady(pod)) {
      readyReplicas++;
      if (isPodAvailable(pod, minReadySeconds, now)) availableReplicas++;
    }
  }
  let conditions: ReplicaSetCondition[] = [...((set.status?.conditions ?? []) as ReplicaSetCondition[])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageReplicasErr !== undefined && !failure) {
    const diff = filteredPods.length - getReplicas(set);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: REPLICA_FAILURE, status: 'True', lastTransitionTime: rfc3339(now), reason, message: errorMessage(manageReplicasErr) });
  } else if (manageReplicasErr === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  return wireStatus({
    replicas: filteredPods.length,
    fullyLabeledReplicas,
    readyReplicas,
    availableReplicas,
    observedGeneration: set.status?.observedGeneration,
    conditions,
  });
}

/** The status as the API serialises it: zero counts and empty lists are omitted, except `replicas`. */
export function wireStatus(s: ReplicaSetStatus): ReplicaSetStatus {
  const out: ReplicaSetStatus = { replicas: s.replicas };
  if (s.fullyLabeledReplicas) out.fullyLabeledReplicas = s.fullyLabeledReplicas;
  if (s.readyReplicas) out.readyReplicas = s.readyReplicas;
  if (s.availableReplicas) out.availableReplicas = s.availableReplicas;
  if (s.observedGeneration) out.observedGeneration = s.observedGeneration;
  if (s.conditions?.length) out.conditions = s.conditions;
  return out;
}

/** Whether `status` is what the set already reports, for its current generation (no write needed). */
export function statusUpToDate(set: ReplicaSetLike, status: ReplicaSetStatus): boolean {
  const cur = set.status;
  return (
    (cur?.replicas ?? 0) === status.replicas &&
    (cur?.fullyLabeledReplicas ?? 0) === (status.fullyLabeledReplicas ?? 0) &&
    (cur?.readyReplicas ?? 0) === (status.readyReplicas ?? 0) &&
    (cur?.availableReplicas ?? 0) === (status.availableReplicas ?? 0) &&
    (set.metadata?.generation ?? 0) === (cur?.observedGeneration ?? 0) &&
    deepEqual(cur?.conditions ?? [], status.conditions ?? [])
  );
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
