// Server-side Table printers (kube-apiserver pkg/printers/internalversion, v1.32) keyed by group and kind.

import { runtimeClassPrinter } from './runtimeclass.js';
import { apiServicePrinter } from './apiservice.js';
import { podPrinter } from './pod.js';
import { configMapPrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './core.js';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './service.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage.js';
import { nodePrinter } from './node.js';
import { eventPrinter } from './event.js';
import {
  controllerRevisionPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  replicationControllerPrinter,
  statefulSetPrinter,
} from './workloads.js';
import { leasePrinter, limitRangePrinter, podDisruptionBudgetPrinter, resourceQuotaPrinter } from './policy.js';
import { ingressClassPrinter, ingressPrinter } from './ingress.js';
import { clusterRoleBindingPrinter, roleBindingPrinter } from './rbac.js';
import { cronJobPrinter, jobPrinter } from './batch.js';
import { priorityClassPrinter } from './scheduling.js';
import { genericPrinter } from './generic.js';
import type { TablePrinter } from './types.js';

export type { TableColumnDefinition, TablePrinter, TableRowCondition } from './types.js';

const PRINTERS: Record<string, TablePrinter> = {
  '/Pod': podPrinter,
  '/Namespace': namespacePrinter,
  '/Service': servicePrinter,
  '/Endpoints': endpointsPrinter,
  '/ConfigMap': configMapPrinter,
  '/Secret': secretPrinter,
  '/ServiceAccount': serviceAccountPrinter,
  '/PersistentVolume': persistentVolumePrinter,
  '/PersistentVolumeClaim': persistentVolumeClaimPrinter,
  '/Node': nodePrinter,
  '/Event': eventPrinter,
  '/ReplicationController': replicationControllerPrinter,
  'apps/StatefulSet': statefulSetPrinter,
  'apps/Deployment': deploymentPrinter,
  'apps/ReplicaSet': replicaSetPrinter,
  'apps/DaemonSet': daemonSetPrinter,
  'apps/ControllerRevision': controllerRevisionPrinter,
  'apiregistration.k8s.io/APIService': apiServicePrinter,
  'policy/PodDisruptionBudget': podDisruptionBudgetPrinter,
  '/ResourceQuota': resourceQuotaPrinter,
  '/LimitRange': limitRangePrinter,
  'coordination.k8s.io/Lease': leasePrinter,
  'scheduling.k8s.io/PriorityClass': priorityClassPrinter,
  'node.k8s.io/RuntimeClass': runtimeClassPrinter,
  'storage.k8s.io/StorageClass': storageClassPrinter,
  'discovery.k8s.io/EndpointSlice': endpointSlicePrinter,
  'networking.k8s.io/Ingress': ingressPrinter,
  'networking.k8s.io/IngressClass': ingressClassPrinter,
  'rbac.authorization.k8s.io/RoleBinding': roleBindingPrinter,
  'rbac.authorization.k8s.io/ClusterRoleBinding': clusterRoleBindingPrinter,
  'batch/Job': jobPrinter,
  'batch/CronJob': cronJobPrinter,
};

/** The kind's printer; anything else (Role, ClusterRole, ...) gets upstream's default NAME / CREATED AT table. */
export function printerFor(group: string, kind: string): TablePrinter {
  return PRINTERS[`${group}/${kind}`] ?? genericPrinter;
}
