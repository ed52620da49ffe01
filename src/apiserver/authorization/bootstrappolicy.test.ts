import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import { aggregatedRules } from '../../controllers/clusterroleaggregation/clusterrole_aggregation_controller.js';
import { ANONYMOUS, serviceAccountUser, type UserInfo } from '../authentication/user.js';
import type { Attributes } from './attributes.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles, bootstrapRoleBindings, bootstrapRoles } from './bootstrappolicy.js';
import { RBACAuthorizer, type RoleSource } from './rbac.js';

/** The cluster roles after the aggregation controller settled. */
function aggregatedClusterRoles(): ClusterRole[] {
  const roles = bootstrapClusterRoles();
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of roles) {
      if (!r.aggregationRule) continue;
      const next = aggregatedRules(r, roles);
      if (JSON.stringify(next) !== JSON.stringify(r.rules)) {
        r.rules = next;
        changed = true;
      }
    }
  }
  return roles;
}

function bootstrapAuthorizer(): RBACAuthorizer {
  const clusterRoles = aggregatedClusterRoles();
  const roles = bootstrapRoles();
  const source: RoleSource = {
    getRole: (ns, name) => roles.find((r) => r.metadata!.namespace === ns && r.metadata!.name === name),
    getClusterRole: (name) => clusterRoles.find((r) => r.metadata!.name === name),
    listRoleBindings: (ns) => bootstrapRoleBindings().filter((b) => b.metadata!.namespace === ns),
    listClusterRoleBindings: () => bootstrapClusterRoleBindings(),
  };
  return new RBACAuthorizer(source);
}

const authz = bootstrapAuthorizer();
const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };

const can = (user: UserInfo, verb: string, resource: string, namespace: string, over: Partial<Attributes> = {}) =>
  authz.authorize({ user, verb, resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource, subresource: '', namespace, name: '', ...over }).decision === 'allow';
const canPath = (user: UserInfo, verb: string, path: string) =>
  authz.authorize({ user, verb, resourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' }).decision === 'allow';

test('names are unique and every object carries the bootstrapping label and autoupdate annotation', () => {
  const all = [...bootstrapClusterRoles(), ...bootstrapClusterRoleBindings(), ...bootstrapRoles(), ...bootstrapRoleBindings()];
  const keys = all.map((o) => `${o.kind}/${o.metadata!.namespace ?? ''}/${o.metadata!.name}`);
  assert.equal(new Set(keys).size, keys.length);
  for (const o of all) {
    assert.equal(o.metadata!.labels!['kubernetes.io/bootstrapping'], 'rbac-defaults', o.metadata!.name);
    assert.equal(o.metadata!.annotations!['rbac.authorization.kubernetes.io/autoupdate'], 'true', o.metadata!.name);
  }
});

test("every binding's roleRef exists", () => {
  const clusterRoles = new Set(bootstrapClusterRoles().map((r) => r.metadata!.name));
  for (const b of bootstrapClusterRoleBindings()) assert.ok(clusterRoles.has(b.roleRef.name), b.metadata!.name);
  const roles = new Set(bootstrapRoles().map((r) => `${r.metadata!.namespace}/${r.metadata!.name}`));
  for (const b of bootstrapRoleBindings()) assert.ok(roles.has(`${b.metadata!.namespace}/${b.roleRef.name}`), b.metadata!.name);
});

test('system:masters is bound to cluster-admin, which may do anything', () => {
  const b = bootstrapClusterRoleBindings().find((x) => x.metadata!.name === 'cluster-admin')!;
  assert.deepEqual(b.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
  const admin: UserInfo = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
  assert.ok(can(admin, 'deletecollection', 'nodes', ''));
  assert.ok(can(admin, 'escalate', 'clusterroles', '', { apiGroup: 'rbac.authorization.k8s.io' }));
  assert.ok(canPath(admin, 'get', '/metrics'));
});

test('admin, edit and view aggregate; view excludes secrets, edit does not grant roles', () => {
  const roles = aggregatedClusterRoles();
  const rulesOf = (name: string) => roles.find((r) => r.metadata!.name === name)!.rules!;
  const grants = (name: string, verb: string, group: string, resource: string) =>
    rulesOf(name).some((r) => r.verbs.includes(verb) && r.apiGroups?.includes(group) && r.resources?.includes(resource));
  for (const name of ['admin', 'edit', 'view']) assert.deepEqual(bootstrapClusterRoles().find((r) => r.metadata!.name === name)!.rules, []);
  assert.ok(grants('view', 'list', '', 'pods'));
  assert.ok(grants('view', 'get', 'apps', 'statefulsets'));
  assert.ok(!grants('view', 'get', '', 'secrets'));
  assert.ok(grants('edit', 'get', '', 'secrets'));
  assert.ok(grants('edit', 'list', '', 'pods'), 'edit includes view');
  assert.ok(grants('edit', 'create', '', 'pods/exec'));
  assert.ok(!grants('edit', 'create', 'rbac.authorization.k8s.io', 'rolebindings'));
  assert.ok(grants('admin', 'create', 'rbac.authorization.k8s.io', 'rolebindings'));
  assert.ok(grants('admin', 'delete', 'apps', 'deployments'), 'admin includes edit');
  // Nobody is bound to them by default.
  assert.ok(!can(alice, 'list', 'pods', 'default'));
});

test('system:discovery, system:basic-user and system:public-info-viewer', () => {
  for (const p of ['/api', '/api/v1', '/apis', '/apis/apps/v1', '/healthz', '/livez', '/readyz', '/version', '/openapi/v3']) assert.ok(canPath(alice, 'get', p), p);
  assert.ok(!canPath(alice, 'get', '/metrics'));
  assert.ok(!canPath(alice, 'post', '/api'));
  assert.ok(can(alice, 'create', 'selfsubjectaccessreviews', '', { apiGroup: 'authorization.k8s.io' }));
  assert.ok(can(alice, 'create', 'selfsubjectrulesreviews', '', { apiGroup: 'authorization.k8s.io' }));
  assert.ok(can(alice, 'create', 'selfsubjectreviews', '', { apiGroup: 'authentication.k8s.io' }));
  // Anonymous users see health and version only.
  assert.ok(canPath(ANONYMOUS, 'get', '/healthz'));
  assert.ok(canPath(ANONYMOUS, 'get', '/version'));
  assert.ok(!canPath(ANONYMOUS, 'get', '/api'));
  assert.ok(!can(ANONYMOUS, 'create', 'selfsubjectaccessreviews', '', { apiGroup: 'authorization.k8s.io' }));
});

test('service accounts get issuer discovery and nothing else', () => {
  const sa = serviceAccountUser('default', 'default', 'u');
  assert.ok(canPath(sa, 'get', '/openid/v1/jwks'));
  assert.ok(canPath(sa, 'get', '/.well-known/openid-configuration'));
  assert.ok(!canPath(alice, 'get', '/openid/v1/jwks'));
  assert.ok(!can(sa, 'list', 'pods', 'default'));
  assert.ok(!can(sa, 'get', 'configmaps', 'default', { name: 'kube-root-ca.crt' }));
});

test('controller service accounts get their system:controller roles', () => {
  const ctl = (name: string) => serviceAccountUser('kube-system', name, 'u');
  for (const name of ['statefulset-controller', 'replicaset-controller', 'deployment-controller', 'daemon-set-controller', 'job-controller', 'cronjob-controller',
    'disruption-controller', 'endpoint-controller', 'endpointslice-controller', 'endpointslicemirroring-controller', 'generic-garbage-collector',
    'namespace-controller', 'node-controller', 'persistent-volume-binder', 'pvc-protection-controller', 'pv-protection-controller', 'root-ca-cert-publisher',
    'service-account-controller', 'ttl-after-finished-controller', 'clusterrole-aggregation-controller', 'pod-garbage-collector', 'replication-controller',
    'resourcequota-controller', 'horizontal-pod-autoscaler']) {
    const b = bootstrapClusterRoleBindings().find((x) => x.metadata!.name === `system:controller:${name}`);
    assert.deepEqual(b?.subjects, [{ kind: 'ServiceAccount', name, namespace: 'kube-system' }], name);
  }
  assert.ok(can(ctl('statefulset-controller'), 'create', 'pods', 'web'));
  assert.ok(can(ctl('statefulset-controller'), 'update', 'statefulsets', 'web', { apiGroup: 'apps', subresource: 'status', name: 's' }));
  assert.ok(!can(ctl('statefulset-controller'), 'get', 'secrets', 'web', { name: 'x' }));
  assert.ok(can(ctl('namespace-controller'), 'deletecollection', 'widgets', 'web', { apiGroup: 'example.com' }));
  assert.ok(can(ctl('disruption-controller'), 'get', 'statefulsets', 'web', { apiGroup: 'apps', subresource: 'scale', name: 's' }));
  assert.ok(can(ctl('clusterrole-aggregation-controller'), 'escalate', 'clusterroles', '', { apiGroup: 'rbac.authorization.k8s.io' }));
  assert.ok(can(ctl('root-ca-cert-publisher'), 'create', 'events', 'x', { apiGroup: 'events.k8s.io' }));
});

test('leader election: the scheduler and controller manager may hold their leases in kube-system', () => {
  const scheduler: UserInfo = { name: 'system:kube-scheduler', groups: ['system:authenticated'] };
  const lease = (verb: string, name = '') => ({ apiGroup: 'coordination.k8s.io', name, verb });
  assert.ok(can(scheduler, 'update', 'leases', 'kube-system', lease('update', 'kube-scheduler')));
  assert.ok(can(scheduler, 'list', 'leases', 'kube-system', lease('list')));
  assert.ok(!can(scheduler, 'update', 'leases', 'default', lease('update', 'other')));
  assert.ok(can(scheduler, 'create', 'pods', 'default', { subresource: 'binding', name: 'p' }));
  const kcmSA = serviceAccountUser('kube-system', 'kube-controller-manager', 'u');
  assert.ok(can(kcmSA, 'update', 'leases', 'kube-system', lease('update', 'kube-controller-manager')));
  // The Node authorizer, not RBAC, grants nodes now: system:node is bound to no one.
  assert.ok(!can({ name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] }, 'get', 'pods', 'default', { name: 'p' }));
});

test('rule lists are stored sorted, as a real cluster shows them', () => {
  const proxier = bootstrapClusterRoles().find((r) => r.metadata!.name === 'system:node-proxier')!;
  assert.deepEqual(proxier.rules![2], { verbs: ['create', 'patch', 'update'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] });
  const adminAgg = bootstrapClusterRoles().find((r) => r.metadata!.name === 'system:aggregate-to-admin')!;
  assert.deepEqual(adminAgg.rules![1].verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  assert.deepEqual(adminAgg.rules![1].resources, ['rolebindings', 'roles']);
});
