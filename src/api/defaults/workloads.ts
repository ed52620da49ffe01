// Workload defaults: SetDefaults_{StatefulSet,Deployment,ReplicaSet,ReplicationController,DaemonSet,Job,CronJob},
// plus the PodTemplate defaults the generated code applies to every embedded template.
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { defaultPodTemplateSpec } from './pod.js';

export function defaultStatefulSet(sts: Loose<StatefulSet>): void {
  const spec = (sts.spec ??= {});
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    strategy.rollingUpdate ??= {};
  }
  // An explicit RollingUpdate without a rollingUpdate block keeps it absent, as upstream does.
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) strategy.rollingUpdate.partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec((spec.template ??= {}));
  // Upstream also defaults each volumeClaimTemplate (apiVersion, kind, volumeMode, status.phase). Those
  // fields make every re-apply of an unchanged manifest report "configured" (the list is atomic in
  // kubectl's three-way patch), so k8ts keeps templates as written; claims made from them are defaulted.
}

export function defaultDeployment(deploy: Loose<Deployment>): void {
  const spec = (deploy.spec ??= {});
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = (strategy.rollingUpdate ??= {});
    rollingUpdate.maxUnavailable ??= '25%';
    rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplateSpec((spec.template ??= {}));
}

export function defaultReplicaSet(rs: Loose<ReplicaSet>): void {
  const spec = (rs.spec ??= {});
  spec.replicas ??= 1;
  defaultPodTemplateSpec((spec.template ??= {}));
}

/** SetDefaults_ReplicationController: an unset selector and unset labels come from the template's labels. */
export function defaultReplicationController(rc: Loose<ReplicationController>): void {
  const spec = (rc.spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (labels) {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
    const meta = (rc.metadata ??= {});
    if (Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...labels };
  }
  spec.replicas ??= 1;
  if (spec.template) defaultPodTemplateSpec(spec.template);
}

export function defaultDaemonSet(ds: Loose<DaemonSet>): void {
  const spec = (ds.spec ??= {});
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = (strategy.rollingUpdate ??= {});
    rollingUpdate.maxUnavailable ??= 1;
    rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec((spec.template ??= {}));
}

export function defaultJob(job: Loose<Job>): void {
  const spec = (job.spec ??= {});
  if (spec.completions == null && spec.parallelism == null) spec.completions = 1;
  spec.parallelism ??= 1;
  // With backoffLimitPerIndex the global limit is effectively unbounded (math.MaxInt32).
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  const template = (spec.template ??= {});
  const templateLabels = template.metadata?.labels;
  const meta = (job.metadata ??= {});
  // Go shares the map here, so labels the selector generation later adds to the template show on the Job too.
  if (templateLabels && Object.keys(meta.labels ?? {}).length === 0) meta.labels = templateLabels;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) if (!pattern.status) pattern.status = 'True';
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  defaultPodTemplateSpec(template);
}

export function defaultCronJob(cj: Loose<CronJob>): void {
  const spec = (cj.spec ??= {});
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jobTemplate = (spec.jobTemplate ??= {});
  defaultPodTemplateSpec(((jobTemplate.spec ??= {}).template ??= {}));
}
