// The roles of kube-controller-manager's controllers (bootstrappolicy/controller_policy.go): ClusterRole
// `system:controller:<name>`, bound by a ClusterRoleBinding of the same name to ServiceAccount kube-system/<name>.

import type { ClusterRole, ClusterRoleBinding, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { clusterRole, clusterRoleBinding, eventsRule, Read, rule, serviceAccount } from './policyrule.js';

const CORE = [''];
const APPS_EXT = ['apps', 'extensions'];
const ALL = 'create delete get list patch update watch';

const CONTROLLERS: Record<string, PolicyRule[]> = {
  'attachdetach-controller': [
    rule('list watch', CORE, 'persistentvolumeclaims persistentvolumes'),
    rule(Read, CORE, 'nodes'),
    rule('patch update', CORE, 'nodes/status'),
    rule('list watch', CORE, 'pods'),
    eventsRule(),
    rule('create delete get list watch', ['storage.k8s.io'], 'volumeattachments'),
    rule(Read, ['storage.k8s.io'], 'csidrivers'),
    rule(Read, ['storage.k8s.io'], 'csinodes'),
  ],
  'clusterrole-aggregation-controller': [rule('escalate get list patch update watch', ['rbac.authorization.k8s.io'], 'clusterroles')],
  'cronjob-controller': [
    rule('get list update watch', ['batch'], 'cronjobs'),
    rule(ALL, ['batch'], 'jobs'),
    rule('update', ['batch'], 'cronjobs/status'),
    rule('update', ['batch'], 'cronjobs/finalizers'),
    rule('delete list watch', CORE, 'pods'),
    eventsRule(),
  ],
  'daemon-set-controller': [
    rule(Read, APPS_EXT, 'daemonsets'),
    rule('update', APPS_EXT, 'daemonsets/status'),
    rule('update', APPS_EXT, 'daemonsets/finalizers'),
    rule('list watch', CORE, 'nodes'),
    rule('create delete list patch watch', CORE, 'pods'),
    rule('create', CORE, 'pods/binding'),
    rule(ALL, ['apps'], 'controllerrevisions'),
    eventsRule(),
  ],
  'deployment-controller': [
    rule('get list update watch', APPS_EXT, 'deployments'),
    rule('update', APPS_EXT, 'deployments/status'),
    rule('update', APPS_EXT, 'deployments/finalizers'),
    rule(ALL, APPS_EXT, 'replicasets'),
    // No longer needed since 1.6, kept as upstream keeps it.
    rule('get list update watch', CORE, 'pods'),
    eventsRule(),
  ],
  'disruption-controller': [
    rule(Read, APPS_EXT, 'deployments'),
    rule(Read, APPS_EXT, 'replicasets'),
    rule(Read, CORE, 'replicationcontrollers'),
    rule(Read, ['policy'], 'poddisruptionbudgets'),
    rule(Read, ['apps'], 'statefulsets'),
    rule('update', ['policy'], 'poddisruptionbudgets/status'),
    rule('patch update', CORE, 'pods/status'),
    rule('get', ['*'], '*/scale'),
    eventsRule(),
  ],
  'endpoint-controller': [
    rule(Read, CORE, 'pods services'),
    rule('create delete get list update watch', CORE, 'endpoints'),
    rule('create', CORE, 'endpoints/restricted'),
    eventsRule(),
  ],
  'endpointslice-controller': [
    rule(Read, CORE, 'nodes pods services'),
    rule('update', CORE, 'services/finalizers'),
    rule('create delete get list update watch', ['discovery.k8s.io'], 'endpointslices'),
    eventsRule(),
  ],
  'endpointslicemirroring-controller': [
    rule(Read, CORE, 'endpoints services'),
    rule('update', CORE, 'services/finalizers'),
    rule('update', CORE, 'endpoints/finalizers'),
    rule('create delete get list update watch', ['discovery.k8s.io'], 'endpointslices'),
    eventsRule(),
  ],
  'generic-garbage-collector': [rule('delete get list patch update watch', ['*'], '*'), eventsRule()],
  'horizontal-pod-autoscaler': [
    rule(Read, ['autoscaling'], 'horizontalpodautoscalers'),
    rule('update', ['autoscaling'], 'horizontalpodautoscalers/status'),
    rule('get update', ['*'], '*/scale'),
    rule('list watch', CORE, 'pods'),
    rule('list watch', ['metrics.k8s.io'], 'pods'),
    rule(Read, ['custom.metrics.k8s.io'], '*'),
    rule(Read, ['external.metrics.k8s.io'], '*'),
    eventsRule(),
  ],
  'job-controller': [
    rule('get list patch update watch', ['batch'], 'jobs'),
    rule('update', ['batch'], 'jobs/status'),
    rule('update', ['batch'], 'jobs/finalizers'),
    rule('create delete list patch watch', CORE, 'pods'),
    eventsRule(),
  ],
  'namespace-controller': [
    rule('delete get list watch', CORE, 'namespaces'),
    rule('update', CORE, 'namespaces/finalize namespaces/status'),
    rule('delete deletecollection get list watch', ['*'], '*'),
  ],
  'node-controller': [
    rule('delete get list patch update watch', CORE, 'nodes'),
    rule('patch update', CORE, 'nodes/status'),
    rule('patch update', CORE, 'pods/status'),
    rule('delete get list watch', CORE, 'pods'),
    eventsRule(),
  ],
  'persistent-volume-binder': [
    rule('create delete get list update watch', CORE, 'persistentvolumes'),
    rule('update', CORE, 'persistentvolumes/status'),
    rule('get list update watch', CORE, 'persistentvolumeclaims'),
    rule('update', CORE, 'persistentvolumeclaims/status'),
    rule('create delete get list watch', CORE, 'pods'),
    rule(Read, ['storage.k8s.io'], 'storageclasses'),
    rule('list watch', CORE, 'nodes'),
    eventsRule(),
    rule('watch', CORE, 'events'),
  ],
  'pod-garbage-collector': [rule('delete list watch', CORE, 'pods'), rule(Read, CORE, 'nodes'), rule('patch', CORE, 'pods/status')],
  'pv-protection-controller': [rule('get list update watch', CORE, 'persistentvolumes'), eventsRule()],
  'pvc-protection-controller': [
    rule('get list update watch', CORE, 'persistentvolumeclaims'),
    rule('update', CORE, 'persistentvolumeclaims/status'),
    rule(Read, CORE, 'pods'),
    eventsRule(),
  ],
  'replicaset-controller': [
    rule('get list update watch', APPS_EXT, 'replicasets'),
    rule('update', APPS_EXT, 'replicasets/status'),
    rule('update', APPS_EXT, 'replicasets/finalizers'),
    rule('create delete list patch watch', CORE, 'pods'),
    eventsRule(),
  ],
  'replication-controller': [
    rule('get list update watch', CORE, 'replicationcontrollers'),
    rule('update', CORE, 'replicationcontrollers/status'),
    rule('update', CORE, 'replicationcontrollers/finalizers'),
    rule('create delete list patch watch', CORE, 'pods'),
    eventsRule(),
  ],
  'resourcequota-controller': [rule('list watch', ['*'], '*'), rule('update', CORE, 'resourcequotas/status'), eventsRule()],
  'root-ca-cert-publisher': [rule('create update', CORE, 'configmaps'), eventsRule()],
  'service-account-controller': [rule('create', CORE, 'serviceaccounts'), eventsRule()],
  // cloud-controller-manager's service controller; here the built-in load balancer.
  'service-controller': [rule('get list watch', CORE, 'services'), rule('patch update', CORE, 'services/status'), rule('list watch', CORE, 'nodes'), eventsRule()],
  'statefulset-controller': [
    rule('list watch', CORE, 'pods'),
    rule(Read, ['apps'], 'statefulsets'),
    rule('update', ['apps'], 'statefulsets/status'),
    rule('update', ['apps'], 'statefulsets/finalizers'),
    rule('create delete get patch update', CORE, 'pods'),
    rule(ALL, ['apps'], 'controllerrevisions'),
    rule('create get list watch', CORE, 'persistentvolumeclaims'),
    rule('delete update', CORE, 'persistentvolumeclaims'),
    rule('update', CORE, 'pods/finalizers'),
    eventsRule(),
  ],
  'ttl-after-finished-controller': [rule('delete get list watch', ['batch'], 'jobs'), eventsRule()],
  'ttl-controller': [rule('list patch update watch', CORE, 'nodes'), eventsRule()],
};

export const controllerRoleName = (controller: string) => `system:controller:${controller}`;

export function controllerRoles(): ClusterRole[] {
  return Object.entries(CONTROLLERS).map(([name, rules]) => clusterRole(controllerRoleName(name), structuredClone(rules)));
}

export function controllerRoleBindings(): ClusterRoleBinding[] {
  return Object.keys(CONTROLLERS).map((name) => clusterRoleBinding(controllerRoleName(name), [serviceAccount('kube-system', name)]));
}
