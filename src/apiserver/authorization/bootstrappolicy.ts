// The RBAC bootstrap policy of a v1.32 apiserver (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go,
// namespace_policy.go; data as in its testdata/*.yaml), created on start and left alone once it exists.

import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, SYSTEM_MASTERS } from '../authentication/user.js';
import { controllerRoleBindings, controllerRoles } from './controllerpolicy.js';
import { clusterRole, clusterRoleBinding, eventsRule, group, Read, ReadWrite, role, roleBinding, rule, serviceAccount, urls, user } from './policyrule.js';

const AGGREGATE_TO = (to: 'admin' | 'edit' | 'view') => ({ [`rbac.authorization.k8s.io/aggregate-to-${to}`]: 'true' });
const WRITE = 'create delete deletecollection patch update';
const CORE = [''];

function aggregated(name: string, to: 'admin' | 'edit' | 'view', labels: Record<string, string> = {}): ClusterRole {
  return { ...clusterRole(name, [], labels), aggregationRule: { clusterRoleSelectors: [{ matchLabels: AGGREGATE_TO(to) }] } };
}

const leaderLease = (name: string) => [rule('create', ['coordination.k8s.io'], 'leases'), rule('get update', ['coordination.k8s.io'], 'leases', [name])];
const reviews = () => [rule('create', ['authentication.k8s.io'], 'tokenreviews'), rule('create', ['authorization.k8s.io'], 'subjectaccessreviews')];
const approver = (signer: string) => [rule('approve', ['certificates.k8s.io'], 'signers', [`kubernetes.io/${signer}`])];

export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    clusterRole('cluster-admin', [rule('*', ['*'], '*'), urls('*', '*')]),
    clusterRole('system:discovery', [urls('get', '/api /api/* /apis /apis/* /healthz /livez /openapi /openapi/* /readyz /version /version/')]),
    clusterRole('system:monitoring', [urls('get', '/healthz /healthz/* /livez /livez/* /metrics /metrics/slis /readyz /readyz/*')]),
    clusterRole('system:basic-user', [
      rule('create', ['authorization.k8s.io'], 'selfsubjectaccessreviews selfsubjectrulesreviews'),
      rule('create', ['authentication.k8s.io'], 'selfsubjectreviews'),
    ]),
    clusterRole('system:public-info-viewer', [urls('get', '/healthz /livez /readyz /version /version/')]),
    aggregated('admin', 'admin'),
    aggregated('edit', 'edit', AGGREGATE_TO('admin')),
    aggregated('view', 'view', AGGREGATE_TO('edit')),
    clusterRole(
      'system:aggregate-to-admin',
      [rule('create', ['authorization.k8s.io'], 'localsubjectaccessreviews'), rule(ReadWrite, ['rbac.authorization.k8s.io'], 'rolebindings roles')],
      AGGREGATE_TO('admin'),
    ),
    clusterRole(
      'system:aggregate-to-edit',
      [
        rule(Read, CORE, 'pods/attach pods/exec pods/portforward pods/proxy secrets services/proxy'),
        rule('impersonate', CORE, 'serviceaccounts'),
        rule(WRITE, CORE, 'pods pods/attach pods/exec pods/portforward pods/proxy'),
        rule('create', CORE, 'pods/eviction'),
        rule(WRITE, CORE, 'configmaps events persistentvolumeclaims replicationcontrollers replicationcontrollers/scale secrets serviceaccounts services services/proxy'),
        rule('create', CORE, 'serviceaccounts/token'),
        rule(WRITE, ['apps'], 'daemonsets deployments deployments/rollback deployments/scale replicasets replicasets/scale statefulsets statefulsets/scale'),
        rule(WRITE, ['autoscaling'], 'horizontalpodautoscalers'),
        rule(WRITE, ['batch'], 'cronjobs jobs'),
        rule(WRITE, ['extensions'], 'daemonsets deployments deployments/rollback deployments/scale ingresses networkpolicies replicasets replicasets/scale replicationcontrollers/scale'),
        rule(WRITE, ['policy'], 'poddisruptionbudgets'),
        rule(WRITE, ['networking.k8s.io'], 'ingresses networkpolicies'),
        rule(ReadWrite, ['coordination.k8s.io'], 'leases'),
      ],
      AGGREGATE_TO('edit'),
    ),
    clusterRole(
      'system:aggregate-to-view',
      [
        rule(Read, CORE, 'configmaps endpoints persistentvolumeclaims persistentvolumeclaims/status pods replicationcontrollers replicationcontrollers/scale serviceaccounts services services/status'),
        rule(Read, CORE, 'bindings events limitranges namespaces/status pods/log pods/status replicationcontrollers/status resourcequotas resourcequotas/status'),
        rule(Read, CORE, 'namespaces'),
        rule(Read, ['discovery.k8s.io'], 'endpointslices'),
        rule(Read, ['apps'], 'controllerrevisions daemonsets daemonsets/status deployments deployments/scale deployments/status replicasets replicasets/scale replicasets/status statefulsets statefulsets/scale statefulsets/status'),
        rule(Read, ['autoscaling'], 'horizontalpodautoscalers horizontalpodautoscalers/status'),
        rule(Read, ['batch'], 'cronjobs cronjobs/status jobs jobs/status'),
        rule(Read, ['extensions'], 'daemonsets daemonsets/status deployments deployments/scale deployments/status ingresses ingresses/status networkpolicies replicasets replicasets/scale replicasets/status replicationcontrollers/scale'),
        rule(Read, ['policy'], 'poddisruptionbudgets poddisruptionbudgets/status'),
        rule(Read, ['networking.k8s.io'], 'ingresses ingresses/status networkpolicies'),
      ],
      AGGREGATE_TO('view'),
    ),
    clusterRole('system:heapster', [rule(Read, CORE, 'events namespaces nodes pods'), rule(Read, ['extensions'], 'deployments')]),
    clusterRole('system:node', [
      rule('create', ['authentication.k8s.io'], 'tokenreviews'),
      rule('create', ['authorization.k8s.io'], 'localsubjectaccessreviews subjectaccessreviews'),
      rule(Read, CORE, 'services'),
      rule('create get list watch', CORE, 'nodes'),
      rule('patch update', CORE, 'nodes/status'),
      rule('patch update', CORE, 'nodes'),
      rule('create patch update', CORE, 'events'),
      rule(Read, CORE, 'pods'),
      rule('create delete', CORE, 'pods'),
      rule('patch update', CORE, 'pods/status'),
      rule('create', CORE, 'pods/eviction'),
      rule(Read, CORE, 'configmaps secrets'),
      rule('get', CORE, 'persistentvolumeclaims persistentvolumes'),
      rule('get', CORE, 'endpoints'),
      rule('create get list watch', ['certificates.k8s.io'], 'certificatesigningrequests'),
      rule('create delete get patch update', ['coordination.k8s.io'], 'leases'),
      rule('get', ['storage.k8s.io'], 'volumeattachments'),
      rule('create', CORE, 'serviceaccounts/token'),
      rule('get patch update', CORE, 'persistentvolumeclaims/status'),
      rule(Read, ['storage.k8s.io'], 'csidrivers'),
      rule('create delete get patch update', ['storage.k8s.io'], 'csinodes'),
      rule(Read, ['node.k8s.io'], 'runtimeclasses'),
    ]),
    clusterRole('system:node-problem-detector', [rule('get', CORE, 'nodes'), rule('patch', CORE, 'nodes/status'), eventsRule()]),
    clusterRole('system:node-proxier', [rule('list watch', CORE, 'endpoints services'), rule(Read, CORE, 'nodes'), eventsRule(), rule('list watch', ['discovery.k8s.io'], 'endpointslices')]),
    clusterRole('system:kubelet-api-admin', [rule(Read, CORE, 'nodes'), rule('proxy', CORE, 'nodes'), rule('*', CORE, 'nodes/log nodes/metrics nodes/proxy nodes/stats')]),
    clusterRole('system:node-bootstrapper', [rule('create get list watch', ['certificates.k8s.io'], 'certificatesigningrequests')]),
    clusterRole('system:auth-delegator', reviews()),
    clusterRole('system:kube-aggregator', [rule(Read, CORE, 'endpoints services')]),
    clusterRole('system:kube-controller-manager', [
      eventsRule(),
      ...leaderLease('kube-controller-manager'),
      rule('create', CORE, 'secrets serviceaccounts'),
      rule('delete', CORE, 'secrets'),
      rule('get', CORE, 'configmaps namespaces secrets serviceaccounts'),
      rule('update', CORE, 'secrets serviceaccounts'),
      ...reviews(),
      rule('list watch', ['*'], '*'),
      rule('create', CORE, 'serviceaccounts/token'),
    ]),
    clusterRole('system:kube-dns', [rule('list watch', CORE, 'endpoints services')]),
    // kubeadm's CoreDNS role (not part of kube-apiserver's bootstrap policy, but present in every kubeadm cluster).
    clusterRole('system:coredns', [rule('list watch', CORE, 'endpoints services pods namespaces'), rule('list watch', ['discovery.k8s.io'], 'endpointslices')]),
    clusterRole('system:persistent-volume-provisioner', [
      rule('create delete get list watch', CORE, 'persistentvolumes'),
      rule('get list update watch', CORE, 'persistentvolumeclaims'),
      rule(Read, ['storage.k8s.io'], 'storageclasses'),
      rule('watch', CORE, 'events'),
      eventsRule(),
    ]),
    clusterRole('system:certificates.k8s.io:kubelet-serving-approver', approver('kubelet-serving')),
    clusterRole('system:certificates.k8s.io:kube-apiserver-client-approver', approver('kube-apiserver-client')),
    clusterRole('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', approver('kube-apiserver-client-kubelet')),
    clusterRole('system:certificates.k8s.io:legacy-unknown-approver', approver('legacy-unknown')),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [rule('create', ['certificates.k8s.io'], 'certificatesigningrequests/nodeclient')]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [rule('create', ['certificates.k8s.io'], 'certificatesigningrequests/selfnodeclient')]),
    clusterRole('system:volume-scheduler', [
      rule('get list patch update watch', CORE, 'persistentvolumes'),
      rule(Read, ['storage.k8s.io'], 'storageclasses'),
      rule('get list patch update watch', CORE, 'persistentvolumeclaims'),
    ]),
    clusterRole('system:kube-scheduler', [
      eventsRule(),
      ...leaderLease('kube-scheduler'),
      rule(Read, CORE, 'nodes'),
      rule('delete get list watch', CORE, 'pods'),
      rule('create', CORE, 'bindings pods/binding'),
      rule('patch update', CORE, 'pods/status'),
      rule(Read, CORE, 'replicationcontrollers services'),
      rule(Read, ['apps', 'extensions'], 'replicasets'),
      rule(Read, ['apps'], 'statefulsets'),
      rule(Read, ['policy'], 'poddisruptionbudgets'),
      rule(Read, CORE, 'persistentvolumeclaims persistentvolumes'),
      ...reviews(),
      rule(Read, ['storage.k8s.io'], 'csinodes'),
      rule(Read, CORE, 'namespaces'),
      rule(Read, ['storage.k8s.io'], 'csidrivers'),
      rule(Read, ['storage.k8s.io'], 'csistoragecapacities'),
    ]),
    clusterRole('system:service-account-issuer-discovery', [urls('get', '/.well-known/openid-configuration /openid/v1/jwks')]),
    ...controllerRoles(),
  ];
}

export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterRoleBinding('cluster-admin', [group(SYSTEM_MASTERS)]),
    clusterRoleBinding('system:monitoring', [group('system:monitoring')]),
    clusterRoleBinding('system:discovery', [group(ALL_AUTHENTICATED)]),
    clusterRoleBinding('system:basic-user', [group(ALL_AUTHENTICATED)]),
    clusterRoleBinding('system:public-info-viewer', [group(ALL_AUTHENTICATED), group(ALL_UNAUTHENTICATED)]),
    clusterRoleBinding('system:node-proxier', [user('system:kube-proxy')]),
    clusterRoleBinding('system:kube-controller-manager', [user('system:kube-controller-manager')]),
    clusterRoleBinding('system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
    clusterRoleBinding('system:coredns', [serviceAccount('kube-system', 'coredns')]),
    clusterRoleBinding('system:kube-scheduler', [user('system:kube-scheduler')]),
    clusterRoleBinding('system:volume-scheduler', [user('system:kube-scheduler')]),
    // Bound to no one since the Node authorizer took over (1.8); kept so the role is not orphaned.
    clusterRoleBinding('system:node', []),
    clusterRoleBinding('system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
    ...controllerRoleBindings(),
  ];
}

const leaderLocking = () => [rule('create get list update watch', ['coordination.k8s.io'], 'leases'), rule('create get list update watch', ['coordination.k8s.io'], 'leasecandidates')];

export function bootstrapRoles(): Role[] {
  return [
    role('kube-system', 'extension-apiserver-authentication-reader', [rule(Read, CORE, 'configmaps', ['extension-apiserver-authentication'])]),
    role('kube-system', 'system::leader-locking-kube-controller-manager', leaderLocking()),
    role('kube-system', 'system::leader-locking-kube-scheduler', leaderLocking()),
    role('kube-system', 'system:controller:bootstrap-signer', [rule(Read, CORE, 'secrets')]),
    role('kube-system', 'system:controller:cloud-provider', [rule('create get list watch', CORE, 'configmaps')]),
    role('kube-system', 'system:controller:token-cleaner', [rule('delete get list watch', CORE, 'secrets'), eventsRule()]),
    role('kube-public', 'system:controller:bootstrap-signer', [rule(Read, CORE, 'configmaps'), rule('update', CORE, 'configmaps', ['cluster-info']), eventsRule()]),
  ];
}

export function bootstrapRoleBindings(): RoleBinding[] {
  const sa = (name: string) => serviceAccount('kube-system', name);
  return [
    roleBinding('kube-system', 'system::extension-apiserver-authentication-reader', 'extension-apiserver-authentication-reader', [
      user('system:kube-controller-manager'),
      user('system:kube-scheduler'),
    ]),
    roleBinding('kube-system', 'system::leader-locking-kube-controller-manager', 'system::leader-locking-kube-controller-manager', [
      user('system:kube-controller-manager'),
      sa('kube-controller-manager'),
      sa('leader-election-controller'),
    ]),
    roleBinding('kube-system', 'system::leader-locking-kube-scheduler', 'system::leader-locking-kube-scheduler', [user('system:kube-scheduler'), sa('kube-scheduler')]),
    roleBinding('kube-system', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', [sa('bootstrap-signer')]),
    roleBinding('kube-system', 'system:controller:cloud-provider', 'system:controller:cloud-provider', [sa('cloud-provider')]),
    roleBinding('kube-system', 'system:controller:token-cleaner', 'system:controller:token-cleaner', [sa('token-cleaner')]),
    roleBinding('kube-public', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', [sa('bootstrap-signer')]),
  ];
}
