// Who the in-process components are, as a real cluster's components authenticate.

import { ALL_AUTHENTICATED, NODES_GROUP, SYSTEM_MASTERS, serviceAccountUser, type UserInfo } from '../apiserver/authentication/user.js';

/** --service-account-issuer, also the API audience, as kubeadm and k3s set them. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** The user of the admin kubeconfig. */
export const ADMIN: UserInfo = { name: 'kubernetes-admin', groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED] };
export const CONTROLLER_MANAGER: UserInfo = { name: 'system:kube-controller-manager', groups: [ALL_AUTHENTICATED] };
export const SCHEDULER: UserInfo = { name: 'system:kube-scheduler', groups: [ALL_AUTHENTICATED] };

/** The service accounts kube-controller-manager runs its controllers as (--use-service-account-credentials). */
export const CONTROLLER_SERVICE_ACCOUNTS = [
  'namespace-controller',
  'service-account-controller',
  'root-ca-cert-publisher',
  'service-controller',
  'generic-garbage-collector',
  'statefulset-controller',
  'persistent-volume-binder',
  'endpoint-controller',
  'endpointslice-controller',
  'clusterrole-aggregation-controller',
  'replicaset-controller',
  'replication-controller',
  'deployment-controller',
  'daemon-set-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'resourcequota-controller',
  'disruption-controller',
  'node-controller',
  'pod-garbage-collector',
];

export const controllerUser = (name: string): UserInfo => serviceAccountUser('kube-system', name, '');

export const nodeUser = (nodeName: string): UserInfo => ({ name: `system:node:${nodeName}`, groups: [NODES_GROUP, ALL_AUTHENTICATED] });

/** The cluster DNS runs as CoreDNS does in kubeadm clusters: the kube-system/coredns service account. */
export const CLUSTER_DNS_USER: UserInfo = serviceAccountUser('kube-system', 'coredns', '');

/** The service proxy of process nodes, as kube-proxy authenticates (bound to system:node-proxier). */
export const KUBE_PROXY_USER: UserInfo = { name: 'system:kube-proxy', groups: [ALL_AUTHENTICATED] };
