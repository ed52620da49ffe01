// RollingUpdate (pkg/controller/deployment/rolling.go): grow the new replica set within maxSurge, shrink old
// ones (unhealthy replicas first) within maxUnavailable, one step per sync.

import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { deploymentComplete } from './deployment_status.js';
import { availableReplicas, byCreationTimestamp, filterActive, maxUnavailable, newRSNewReplicas, replicasOf, specReplicas } from './deployment_util.js';
import { syncRolloutStatus, type Requeue } from './progress.js';
import type { DeploymentSync } from './sync.js';

export async function rolloutRolling(s: DeploymentSync, requeue: Requeue, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await s.getAllReplicaSetsAndSyncRevision(d, rsList, true);
  const allRSs = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(s, allRSs, newRS!, d)) return syncRolloutStatus(s, requeue, allRSs, newRS, d);
  if (await reconcileOldReplicaSets(s, allRSs, filterActive(oldRSs), newRS!, d)) return syncRolloutStatus(s, requeue, allRSs, newRS, d);
  if (deploymentComplete(d, d.status ?? {})) await s.cleanupDeployment(oldRSs, d);
  return syncRolloutStatus(s, requeue, allRSs, newRS, d);
}

async function reconcileNewReplicaSet(s: DeploymentSync, allRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  const desired = replicasOf(d);
  if (replicasOf(newRS) === desired) return false;
  const target = replicasOf(newRS) > desired ? desired : newRSNewReplicas(d, allRSs, newRS);
  return (await s.scaleReplicaSetAndRecordEvent(newRS, target, d)).scaled;
}

async function reconcileOldReplicaSets(s: DeploymentSync, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  if (specReplicas(oldRSs) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newRSUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicas(allRSs) - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(s, oldRSs, d, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(s, [...cleaned.oldRSs, newRS], cleaned.oldRSs, d);
  return cleaned.count + scaledDown > 0;
}

/** Scale down old replicas that are not available, oldest replica set first, at most `maxCleanup` of them. */
async function cleanupUnhealthyReplicas(s: DeploymentSync, oldRSs: ReplicaSet[], d: Deployment, maxCleanup: number): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (const [i, rs] of sorted.entries()) {
    if (total >= maxCleanup) break;
    const available = rs.status?.availableReplicas ?? 0;
    if (replicasOf(rs) === 0 || replicasOf(rs) === available) continue;
    const count = Math.min(maxCleanup - total, replicasOf(rs) - available);
    // More available than wanted (the status predates a scale-down): upstream refuses rather than grow it.
    if (count < 0) throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata!.namespace}/${rs.metadata!.name} ${replicasOf(rs)} -> ${replicasOf(rs) - count}`);
    sorted[i] = (await s.scaleReplicaSetAndRecordEvent(rs, replicasOf(rs) - count, d)).rs;
    total += count;
  }
  return { oldRSs: sorted, count: total };
}

/** Scale down old replica sets, oldest first, as far as the available replicas stay at or above the minimum. */
async function scaleDownOldReplicaSetsForRollingUpdate(s: DeploymentSync, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], d: Deployment): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = availableReplicas(allRSs);
  if (available <= minAvailable) return 0;
  const totalToScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= totalToScaleDown) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), totalToScaleDown - total);
    await s.scaleReplicaSetAndRecordEvent(rs, replicasOf(rs) - count, d);
    total += count;
  }
  return total;
}
