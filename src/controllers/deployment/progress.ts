// Rollout progress (pkg/controller/deployment/progress.go): the Progressing condition moves to
// ReplicaSetUpdated while replicas move, NewReplicaSetAvailable once complete, and ProgressDeadlineExceeded
// after progressDeadlineSeconds without progress; a stuck deployment is looked at again at its deadline.

import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import {
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getCondition,
  hasProgressDeadline,
  NEW_RS_AVAILABLE_REASON,
  newCondition,
  removeCondition,
  replicaFailures,
  RS_UPDATED_REASON,
  setCondition,
  TIMED_OUT_REASON,
} from './deployment_status.js';
import type { DeploymentSync } from './sync.js';

/** How the controller requeues a deployment. */
export interface Requeue {
  after(d: Deployment, ms: number): void;
  rateLimited(d: Deployment): void;
}

/** syncRolloutStatus: the calculated status with the Progressing and ReplicaFailure conditions brought up to date. */
export async function syncRolloutStatus(s: DeploymentSync, requeue: Requeue, allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
  const now = s.clock.now();
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const isCompleteDeployment = status.replicas === status.updatedReplicas && current?.reason === NEW_RS_AVAILABLE_REASON;
  if (hasProgressDeadline(d) && !isCompleteDeployment) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata!.name}"` : `Deployment "${d.metadata!.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition('Progressing', 'True', NEW_RS_AVAILABLE_REASON, `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, status)) {
      // Progress with the same reason still moves lastUpdateTime, which SetDeploymentCondition would not.
      const condition = newCondition('Progressing', 'True', RS_UPDATED_REASON, `${subject} is progressing.`, now);
      if (current) {
        if (current.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, condition);
    } else if (deploymentTimedOut(d, status, now)) {
      setCondition(status, newCondition('Progressing', 'False', TIMED_OUT_REASON, `${subject} has timed out progressing.`, now));
    }
  }
  const failures = replicaFailures(allRSs, newRS);
  if (failures.length) setCondition(status, failures[0]);
  else removeCondition(status, 'ReplicaFailure');
  if (!(await s.writeIfChanged(d, status))) requeueStuckDeployment(s, requeue, d, status);
}

/** requeueStuckDeployment: without progress, look again once the deadline counted from the last progress has passed. */
function requeueStuckDeployment(s: DeploymentSync, requeue: Requeue, d: Deployment, status: DeploymentStatus): void {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return;
  if (deploymentComplete(d, status) || current.reason === TIMED_OUT_REASON) return;
  const after = Date.parse(current.lastUpdateTime ?? '') + d.spec!.progressDeadlineSeconds! * 1000 - s.clock.now();
  if (after < 1000) requeue.rateLimited(d);
  else requeue.after(d, after + 1000);
}
