// Recreate (pkg/controller/deployment/recreate.go): scale every old replica set to zero, wait until none of
// their pods runs, then create or scale up the new replica set.

import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deploymentComplete } from './deployment_status.js';
import { actualReplicas, filterActive, replicasOf } from './deployment_util.js';
import { syncRolloutStatus, type Requeue } from './progress.js';
import type { DeploymentSync } from './sync.js';

/** Pods of the deployment grouped by the uid of the replica set that controls them. */
export type PodMap = Map<string, Pod[]>;

export async function rolloutRecreate(s: DeploymentSync, requeue: Requeue, d: Deployment, rsList: ReplicaSet[], podMap: PodMap): Promise<void> {
  let { newRS, oldRSs } = await s.getAllReplicaSetsAndSyncRevision(d, rsList, false);
  let allRSs = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) if ((await s.scaleReplicaSetAndRecordEvent(rs, 0, d)).scaled) scaledDown = true;
  if (scaledDown) return syncRolloutStatus(s, requeue, allRSs, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(s, requeue, allRSs, newRS, d);
  if (!newRS) {
    ({ newRS, oldRSs } = await s.getAllReplicaSetsAndSyncRevision(d, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (replicasOf(newRS) !== replicasOf(d)) await s.scaleReplicaSetAndRecordEvent(newRS!, replicasOf(d), d);
  if (deploymentComplete(d, d.status ?? {})) await s.cleanupDeployment(oldRSs, d);
  return syncRolloutStatus(s, requeue, allRSs, newRS, d);
}

/** oldPodsRunning: old replica sets still report pods, or a pod of theirs has not finished. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: PodMap): boolean {
  if (actualReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
