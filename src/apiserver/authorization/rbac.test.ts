import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import { serviceAccountUser, type UserInfo } from '../authentication/user.js';
import type { Attributes } from './attributes.js';
import { aggregate, RBACAuthorizer, type RoleSource } from './rbac.js';

class StaticRoles implements RoleSource {
  constructor(
    private roles: Role[] = [],
    private clusterRoles: ClusterRole[] = [],
    private roleBindings: RoleBinding[] = [],
    private clusterRoleBindings: ClusterRoleBinding[] = [],
  ) {}
  getRole(ns: string, name: string) {
    return this.roles.find((r) => r.metadata?.namespace === ns && r.metadata?.name === name);
  }
  getClusterRole(name: string) {
    return this.clusterRoles.find((r) => r.metadata?.name === name);
  }
  listRoleBindings(ns: string) {
    return this.roleBindings.filter((b) => b.metadata?.namespace === ns);
  }
  listClusterRoleBindings() {
    return this.clusterRoleBindings;
  }
}

const RBAC = 'rbac.authorization.k8s.io';
const crb = (name: string, role: string, subjects: Subject[]): ClusterRoleBinding => ({ metadata: { name }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role }, subjects });
const rb = (ns: string, name: string, kind: 'Role' | 'ClusterRole', role: string, subjects: Subject[]): RoleBinding => ({
  metadata: { namespace: ns, name },
  roleRef: { apiGroup: RBAC, kind, name: role },
  subjects,
});

const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
const bob: UserInfo = { name: 'bob', groups: ['system:authenticated'] };

function req(user: UserInfo, verb: string, resource: string, namespace: string, over: Partial<Attributes> = {}): Attributes {
  return { user, verb, resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource, subresource: '', namespace, name: '', ...over };
}

const podReader: ClusterRole = { metadata: { name: 'pod-reader' }, rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }] };
const logReader: Role = { metadata: { namespace: 'ns1', name: 'log-reader' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }] };

test('a RoleBinding to a ClusterRole grants it only in its namespace', () => {
  const authz = new RBACAuthorizer(new StaticRoles([], [podReader], [rb('ns1', 'read', 'ClusterRole', 'pod-reader', [{ kind: 'User', name: 'alice' }])]));
  const ok = authz.authorize(req(alice, 'list', 'pods', 'ns1'));
  assert.equal(ok.decision, 'allow');
  assert.equal(ok.reason, 'RBAC: allowed by RoleBinding "read/ns1" of ClusterRole "pod-reader" to User "alice"');
  assert.deepEqual(authz.authorize(req(alice, 'list', 'pods', 'ns2')), { decision: 'noOpinion', reason: '' });
  // Cluster-wide list (all namespaces) is not granted by a namespaced binding.
  assert.equal(authz.authorize(req(alice, 'list', 'pods', '')).decision, 'noOpinion');
  assert.equal(authz.authorize(req(bob, 'list', 'pods', 'ns1')).decision, 'noOpinion');
  assert.equal(authz.authorize(req(alice, 'delete', 'pods', 'ns1')).decision, 'noOpinion');
});

test('a ClusterRoleBinding grants in every namespace and at cluster scope', () => {
  const authz = new RBACAuthorizer(new StaticRoles([], [podReader], [], [crb('readers', 'pod-reader', [{ kind: 'Group', name: 'system:authenticated' }])]));
  for (const ns of ['ns1', 'kube-system', '']) assert.equal(authz.authorize(req(bob, 'watch', 'pods', ns)).decision, 'allow');
  const a = authz.authorize(req(bob, 'get', 'pods', 'x'));
  assert.equal(a.reason, 'RBAC: allowed by ClusterRoleBinding "readers" of ClusterRole "pod-reader" to Group "system:authenticated"');
});

test('subresources need their own rule; */scale covers every scale', () => {
  const scaler: ClusterRole = { metadata: { name: 'scaler' }, rules: [{ verbs: ['get', 'update'], apiGroups: ['*'], resources: ['*/scale'] }] };
  const authz = new RBACAuthorizer(
    new StaticRoles([logReader], [podReader, scaler], [rb('ns1', 'logs', 'Role', 'log-reader', [{ kind: 'User', name: 'alice' }])], [crb('scale', 'scaler', [{ kind: 'User', name: 'alice' }])]),
  );
  assert.equal(authz.authorize(req(alice, 'get', 'pods', 'ns1', { subresource: 'log', name: 'p' })).decision, 'allow');
  assert.equal(authz.authorize(req(alice, 'get', 'pods', 'ns1', { name: 'p' })).decision, 'noOpinion');
  assert.equal(authz.authorize(req(alice, 'get', 'pods', 'ns1', { subresource: 'exec', name: 'p' })).decision, 'noOpinion');
  assert.equal(authz.authorize(req(alice, 'update', 'statefulsets', 'ns9', { apiGroup: 'apps', subresource: 'scale', name: 'web' })).decision, 'allow');
  assert.equal(authz.authorize(req(alice, 'update', 'statefulsets', 'ns9', { apiGroup: 'apps', name: 'web' })).decision, 'noOpinion');
});

test('resourceNames allow get of that name but not list', () => {
  const role: Role = { metadata: { namespace: 'ns1', name: 'db-secret' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }] };
  const authz = new RBACAuthorizer(new StaticRoles([role], [], [rb('ns1', 'db', 'Role', 'db-secret', [{ kind: 'User', name: 'alice' }])]));
  assert.equal(authz.authorize(req(alice, 'get', 'secrets', 'ns1', { name: 'db' })).decision, 'allow');
  assert.equal(authz.authorize(req(alice, 'get', 'secrets', 'ns1', { name: 'web' })).decision, 'noOpinion');
  assert.equal(authz.authorize(req(alice, 'list', 'secrets', 'ns1')).decision, 'noOpinion');
});

test('non-resource URLs with a trailing * match by prefix', () => {
  const disc: ClusterRole = { metadata: { name: 'disc' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/apis/*'] }] };
  const authz = new RBACAuthorizer(new StaticRoles([], [disc], [], [crb('disc', 'disc', [{ kind: 'Group', name: 'system:authenticated' }])]));
  const path = (p: string, verb = 'get'): Attributes => ({ ...req(alice, verb, '', ''), resourceRequest: false, path: p });
  assert.equal(authz.authorize(path('/apis/apps/v1')).decision, 'allow');
  assert.equal(authz.authorize(path('/api')).decision, 'allow');
  assert.equal(authz.authorize(path('/api/v1')).decision, 'noOpinion');
  assert.equal(authz.authorize(path('/apis/apps', 'post')).decision, 'noOpinion');
  assert.equal(authz.authorize(path('/metrics')).decision, 'noOpinion');
});

test('service account subjects: explicit namespace, and the binding namespace when omitted', () => {
  const sa = serviceAccountUser('hwyu', 'kubeping', 'u1');
  const authz = new RBACAuthorizer(
    new StaticRoles([], [podReader], [rb('hwyu', 'implicit', 'ClusterRole', 'pod-reader', [{ kind: 'ServiceAccount', name: 'kubeping' }])], [
      crb('no-ns', 'pod-reader', [{ kind: 'ServiceAccount', name: 'kubeping' }]),
    ]),
  );
  const ok = authz.authorize(req(sa, 'list', 'pods', 'hwyu'));
  assert.equal(ok.decision, 'allow');
  assert.equal(ok.reason, 'RBAC: allowed by RoleBinding "implicit/hwyu" of ClusterRole "pod-reader" to ServiceAccount "kubeping/hwyu"');
  // A ClusterRoleBinding SA subject without namespace applies to no one.
  assert.equal(authz.authorize(req(sa, 'list', 'pods', 'other')).decision, 'noOpinion');
  const explicit = new RBACAuthorizer(new StaticRoles([], [podReader], [], [crb('sa', 'pod-reader', [{ kind: 'ServiceAccount', name: 'kubeping', namespace: 'hwyu' }])]));
  assert.equal(explicit.authorize(req(sa, 'list', 'pods', 'other')).decision, 'allow');
  assert.equal(explicit.authorize(req(serviceAccountUser('other', 'kubeping', 'u2'), 'list', 'pods', 'other')).decision, 'noOpinion');
});

test('missing roles give the reason text of the failed lookups', () => {
  const authz = new RBACAuthorizer(
    new StaticRoles([], [], [rb('ns1', 'r', 'Role', 'gone', [{ kind: 'User', name: 'alice' }])], [crb('c', 'pod-reader', [{ kind: 'User', name: 'alice' }])]),
  );
  assert.deepEqual(authz.authorize(req(alice, 'get', 'pods', '')), { decision: 'noOpinion', reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "pod-reader" not found' });
  assert.deepEqual(authz.authorize(req(alice, 'get', 'pods', 'ns1')), {
    decision: 'noOpinion',
    reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "pod-reader" not found, role.rbac.authorization.k8s.io "gone" not found]',
  });
  // Bindings that do not apply to the user are not resolved.
  assert.deepEqual(authz.authorize(req(bob, 'get', 'pods', 'ns1')), { decision: 'noOpinion', reason: '' });
  // A rule found elsewhere still allows.
  const mixed = new RBACAuthorizer(new StaticRoles([], [podReader], [], [crb('a', 'gone', [{ kind: 'User', name: 'alice' }]), crb('b', 'pod-reader', [{ kind: 'User', name: 'alice' }])]));
  assert.equal(mixed.authorize(req(alice, 'get', 'pods', 'ns1')).decision, 'allow');
});

test('aggregate prints like utilerrors.NewAggregate', () => {
  assert.equal(aggregate(['a']), 'a');
  assert.equal(aggregate(['a', 'b']), '[a, b]');
  assert.equal(aggregate(['a', 'a']), 'a');
});

test('rulesFor splits resource and non-resource rules from every applying binding', () => {
  const mixed: ClusterRole = {
    metadata: { name: 'mixed' },
    rules: [
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] },
    ],
  };
  const authz = new RBACAuthorizer(
    new StaticRoles([logReader], [podReader, mixed], [rb('ns1', 'logs', 'Role', 'log-reader', [{ kind: 'User', name: 'alice' }]), rb('ns1', 'x', 'Role', 'gone', [{ kind: 'User', name: 'alice' }])], [
      crb('m', 'mixed', [{ kind: 'User', name: 'alice' }]),
      crb('p', 'pod-reader', [{ kind: 'User', name: 'bob' }]),
    ]),
  );
  assert.deepEqual(authz.rulesFor(alice, 'ns1'), {
    resourceRules: [
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] },
      { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
    ],
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
    incomplete: false,
    evaluationError: 'role.rbac.authorization.k8s.io "gone" not found',
  });
  const other = authz.rulesFor(alice, 'ns2');
  assert.equal(other.resourceRules.length, 1);
  assert.equal(other.evaluationError, undefined);
});
