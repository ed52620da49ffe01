import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { serviceAccountUser, type UserInfo } from '../authentication/user.js';
import type { Attributes } from './attributes.js';
import { appliesTo, appliesToUser, nonResourceURLMatches, resourceMatches, resourceNameMatches, ruleAllows } from './rbac_rules.js';

const alice: UserInfo = { name: 'alice', groups: ['devs', 'system:authenticated'] };

function req(over: Partial<Attributes>): Attributes {
  return { user: alice, verb: 'get', resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: 'ns', name: '', ...over };
}

const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });

test('resourceMatches: exact, *, res/sub and */sub', () => {
  assert.equal(resourceMatches(r(['get'], [''], ['pods']), 'pods', ''), true);
  assert.equal(resourceMatches(r(['get'], [''], ['pods']), 'pods/log', 'log'), false);
  assert.equal(resourceMatches(r(['get'], [''], ['pods/log']), 'pods/log', 'log'), true);
  assert.equal(resourceMatches(r(['get'], [''], ['pods/log']), 'pods', ''), false);
  assert.equal(resourceMatches(r(['get'], ['*'], ['*/scale']), 'deployments/scale', 'scale'), true);
  assert.equal(resourceMatches(r(['get'], ['*'], ['*/scale']), 'deployments/status', 'status'), false);
  assert.equal(resourceMatches(r(['get'], ['*'], ['*/scale']), 'deployments', ''), false);
  // `*/sub` must be exactly the subresource, not a suffix of it.
  assert.equal(resourceMatches(r(['get'], ['*'], ['*/ale']), 'deployments/scale', 'scale'), false);
  assert.equal(resourceMatches(r(['get'], ['*'], ['*']), 'pods/exec', 'exec'), true);
});

test('resourceNameMatches: empty list means any name, a list only those names', () => {
  assert.equal(resourceNameMatches(r(['get'], [''], ['secrets']), ''), true);
  assert.equal(resourceNameMatches(r(['get'], [''], ['secrets'], ['db']), 'db'), true);
  assert.equal(resourceNameMatches(r(['get'], [''], ['secrets'], ['db']), 'other'), false);
  assert.equal(resourceNameMatches(r(['get'], [''], ['secrets'], ['db']), ''), false);
});

test('nonResourceURLMatches: exact, * and trailing-* prefix', () => {
  const rule: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
  assert.equal(nonResourceURLMatches(rule, '/healthz'), true);
  assert.equal(nonResourceURLMatches(rule, '/healthz/etcd'), false);
  assert.equal(nonResourceURLMatches(rule, '/apis/apps/v1'), true);
  assert.equal(nonResourceURLMatches(rule, '/apis/'), true);
  assert.equal(nonResourceURLMatches(rule, '/apis'), false);
  assert.equal(nonResourceURLMatches({ verbs: ['*'], nonResourceURLs: ['*'] }, '/metrics'), true);
});

test('ruleAllows: resource requests', () => {
  const podsRead = r(['get', 'list', 'watch'], [''], ['pods']);
  assert.equal(ruleAllows(req({ verb: 'list' }), podsRead), true);
  assert.equal(ruleAllows(req({ verb: 'delete' }), podsRead), false);
  assert.equal(ruleAllows(req({ apiGroup: 'apps', resource: 'pods' }), podsRead), false);
  assert.equal(ruleAllows(req({ subresource: 'log', name: 'p' }), podsRead), false);
  assert.equal(ruleAllows(req({ subresource: 'log', name: 'p' }), r(['get'], [''], ['pods/log'])), true);
  assert.equal(ruleAllows(req({ verb: 'delete', apiGroup: 'apps', resource: 'deployments' }), r(['*'], ['*'], ['*'])), true);
  // resourceNames: get of the named object passes, list (no name) and create never do.
  const oneSecret = r(['get', 'list', 'create'], [''], ['secrets'], ['db']);
  assert.equal(ruleAllows(req({ resource: 'secrets', name: 'db' }), oneSecret), true);
  assert.equal(ruleAllows(req({ resource: 'secrets', verb: 'list' }), oneSecret), false);
  assert.equal(ruleAllows(req({ resource: 'secrets', verb: 'create' }), oneSecret), false);
  // A rule with no apiGroups matches no resource request.
  assert.equal(ruleAllows(req({}), { verbs: ['get'], resources: ['pods'] }), false);
});

test('ruleAllows: non-resource requests ignore resource rules', () => {
  const a = req({ resourceRequest: false, path: '/version', resource: '', namespace: '' });
  assert.equal(ruleAllows(a, { verbs: ['get'], nonResourceURLs: ['/version'] }), true);
  assert.equal(ruleAllows({ ...a, verb: 'post' }, { verbs: ['get'], nonResourceURLs: ['/version'] }), false);
  assert.equal(ruleAllows(a, r(['*'], ['*'], ['*'])), false);
});

test('appliesToUser: users, groups and service accounts', () => {
  assert.equal(appliesToUser(alice, { kind: 'User', name: 'alice' }, ''), true);
  assert.equal(appliesToUser(alice, { kind: 'User', name: 'bob' }, ''), false);
  assert.equal(appliesToUser(alice, { kind: 'Group', name: 'devs' }, ''), true);
  assert.equal(appliesToUser(alice, { kind: 'Group', name: 'alice' }, ''), false);
  const sa = serviceAccountUser('hwyu', 'kubeping', 'uid');
  assert.equal(appliesToUser(sa, { kind: 'ServiceAccount', name: 'kubeping', namespace: 'hwyu' }, ''), true);
  assert.equal(appliesToUser(sa, { kind: 'ServiceAccount', name: 'kubeping', namespace: 'other' }, 'hwyu'), false);
  assert.equal(appliesToUser(sa, { kind: 'ServiceAccount', name: 'kube', namespace: 'hwyu' }, ''), false);
  assert.equal(appliesToUser(sa, { kind: 'ServiceAccount', name: 'ping', namespace: 'hwyu:kube' }, ''), false);
  // A RoleBinding's subject without namespace means the binding's namespace; a ClusterRoleBinding's matches nobody.
  assert.equal(appliesToUser(sa, { kind: 'ServiceAccount', name: 'kubeping' }, 'hwyu'), true);
  assert.equal(appliesToUser(sa, { kind: 'ServiceAccount', name: 'kubeping' }, ''), false);
  // The SA groups are ordinary groups.
  assert.equal(appliesToUser(sa, { kind: 'Group', name: 'system:serviceaccounts:hwyu' }, ''), true);
  // A user merely named like an SA is one.
  assert.equal(appliesToUser({ name: 'system:serviceaccount:hwyu:kubeping', groups: [] }, { kind: 'ServiceAccount', name: 'kubeping', namespace: 'hwyu' }, ''), true);
  assert.equal(appliesToUser(alice, { kind: 'Robot', name: 'alice' }, ''), false);
});

test('appliesTo: index of the first matching subject', () => {
  assert.equal(appliesTo(alice, [{ kind: 'User', name: 'bob' }, { kind: 'Group', name: 'devs' }, { kind: 'User', name: 'alice' }], ''), 1);
  assert.equal(appliesTo(alice, [{ kind: 'User', name: 'bob' }], ''), -1);
  assert.equal(appliesTo(alice, undefined, ''), -1);
});
