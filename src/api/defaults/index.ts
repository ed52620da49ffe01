// applyDefaults: the v1.32 SetDefaults_* behaviour per kind, mutating the object in place.
// Runs on every create and update body before validation, as decoding does upstream.
import type { StoredObject } from '../loose.js';
import { defaultBinding } from './rbac.js';
import { defaultNamespace, defaultNode, defaultSecret } from './core.js';
import { defaultIngressClass } from './networking.js';
import { defaultPod } from './pod.js';
import { defaultPriorityClass } from './scheduling.js';
import { defaultEndpointSlice, defaultEndpoints, defaultService } from './service.js';
import { defaultPersistentVolume, defaultPersistentVolumeClaim, defaultStorageClass } from './storage.js';
import { defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet, defaultReplicationController, defaultStatefulSet } from './workloads.js';

export { generateJobSelector } from './job-selector.js';

/** The object's kind picks the defaulter, so each may take its own kind's type (a bivariant method parameter). */
type Defaulter = { default(obj: StoredObject): void }['default'];

/** SetDefaults_ServiceReference; kubernetes-types has no apiregistration.k8s.io. */
function defaultAPIService(svc: { spec?: { service?: { port?: number } } }): void {
  if (svc.spec?.service) svc.spec.service.port ??= 443;
}

const DEFAULTERS: Record<string, Defaulter> = {
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Endpoints': defaultEndpoints,
  '/Secret': defaultSecret,
  '/Namespace': defaultNamespace,
  '/Node': defaultNode,
  '/PersistentVolume': defaultPersistentVolume,
  '/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  '/ReplicationController': defaultReplicationController,
  'apps/StatefulSet': defaultStatefulSet,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/DaemonSet': defaultDaemonSet,
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'storage.k8s.io/StorageClass': defaultStorageClass,
  'scheduling.k8s.io/PriorityClass': defaultPriorityClass,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
  'networking.k8s.io/IngressClass': defaultIngressClass,
  'apiregistration.k8s.io/APIService': defaultAPIService,
  'rbac.authorization.k8s.io/RoleBinding': defaultBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': defaultBinding,
};

export function applyDefaults(group: string, kind: string, obj: StoredObject): void {
  DEFAULTERS[`${group}/${kind}`]?.(obj);
}
