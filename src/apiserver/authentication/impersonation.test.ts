import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatusError } from '../../machinery/errors.js';
import type { Attributes, Authorizer } from '../authorization/attributes.js';
import { impersonate } from './impersonation.js';
import type { UserInfo } from './user.js';

const admin: UserInfo = { name: 'admin', groups: ['system:authenticated'] };
const asked: Attributes[] = [];
const allowing = (allowed: (a: Attributes) => boolean): Authorizer => ({
  authorize(a) {
    asked.push(a);
    return { decision: allowed(a) ? 'allow' : 'noOpinion', reason: '' };
  },
});

test('without impersonation headers the requester acts as itself', () => {
  assert.equal(impersonate(admin, {}, allowing(() => false)), admin);
});

test('a user with groups, each checked as impersonate on users and groups', () => {
  asked.length = 0;
  const u = impersonate(admin, { 'impersonate-user': 'jane', 'impersonate-group': ['dev', 'ops'] }, allowing(() => true));
  assert.deepEqual(u, { name: 'jane', groups: ['dev', 'ops', 'system:authenticated'] });
  assert.deepEqual(asked.map((a) => `${a.verb} ${a.resource} ${a.name}`), ['impersonate users jane', 'impersonate groups dev', 'impersonate groups ops']);
});

test('a service account name brings its groups and is checked in its namespace', () => {
  asked.length = 0;
  const u = impersonate(admin, { 'impersonate-user': 'system:serviceaccount:hwyu:sa' }, allowing(() => true));
  assert.deepEqual(u.groups, ['system:serviceaccounts', 'system:serviceaccounts:hwyu', 'system:authenticated']);
  assert.equal(asked[0].resource, 'serviceaccounts');
  assert.equal(asked[0].namespace, 'hwyu');
  assert.equal(asked[0].name, 'sa');
});

test('a refused impersonation is the 403 of the impersonate check', () => {
  assert.throws(
    () => impersonate(admin, { 'impersonate-user': 'someone' }, allowing(() => false)),
    (e: StatusError) => e.code === 403 && e.message === 'users "someone" is forbidden: User "admin" cannot impersonate resource "users" in API group "" at the cluster scope',
  );
  assert.throws(
    () => impersonate(admin, { 'impersonate-user': 'jane', 'impersonate-group': 'root' }, allowing((a) => a.resource === 'users')),
    (e: StatusError) => e.message === 'groups "root" is forbidden: User "admin" cannot impersonate resource "groups" in API group "" at the cluster scope',
  );
});

test('groups without a user are refused', () => {
  assert.throws(() => impersonate(admin, { 'impersonate-group': 'dev' }, allowing(() => true)), (e: StatusError) => e.code === 500);
});
