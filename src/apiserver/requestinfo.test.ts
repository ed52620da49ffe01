import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANONYMOUS } from './authentication/user.js';
import { forbiddenError } from './authorization/forbidden.js';
import { parseRequestTarget } from './request.js';
import { requestAttributes } from './requestinfo.js';

const attrs = (method: string, target: string) => {
  const { segments, path, query } = parseRequestTarget(target);
  const a = requestAttributes(ANONYMOUS, method, segments, path, query);
  return [a.verb, a.apiGroup, a.apiVersion, a.resource, a.subresource, a.namespace, a.name, a.resourceRequest ? 'r' : 'p'].join('|');
};

test('verbs, scopes and subresources as RequestInfoFactory reads them', () => {
  assert.equal(attrs('GET', '/api/v1/namespaces/hwyu/pods'), 'list||v1|pods||hwyu||r');
  assert.equal(attrs('GET', '/api/v1/namespaces/hwyu/pods?watch=true'), 'watch||v1|pods||hwyu||r');
  assert.equal(attrs('GET', '/api/v1/namespaces/hwyu/pods?watch=0'), 'list||v1|pods||hwyu||r');
  assert.equal(attrs('GET', '/api/v1/namespaces/hwyu/pods/web-0/log'), 'get||v1|pods|log|hwyu|web-0|r');
  assert.equal(attrs('POST', '/api/v1/namespaces/hwyu/pods/web-0/eviction'), 'create||v1|pods|eviction|hwyu|web-0|r');
  assert.equal(attrs('DELETE', '/api/v1/namespaces/hwyu/pods'), 'deletecollection||v1|pods||hwyu||r');
  assert.equal(attrs('GET', '/apis/apps/v1/statefulsets'), 'list|apps|v1|statefulsets||||r');
  assert.equal(attrs('PUT', '/apis/apps/v1/namespaces/d/statefulsets/web/scale'), 'update|apps|v1|statefulsets|scale|d|web|r');
  assert.equal(attrs('GET', '/api/v1/namespaces/hwyu'), 'get||v1|namespaces||hwyu|hwyu|r');
  assert.equal(attrs('PUT', '/api/v1/namespaces/hwyu/finalize'), 'update||v1|namespaces|finalize|hwyu|hwyu|r');
  assert.equal(attrs('GET', '/api/v1/pods?fieldSelector=metadata.name%3Dweb-0'), 'list||v1|pods|||web-0|r');
  assert.equal(attrs('GET', '/apis/foo.io/v1/bars'), 'list|foo.io|v1|bars||||r', 'unknown resources are authorized too');
  assert.equal(attrs('GET', '/api'), 'get|||||||p');
  assert.equal(attrs('GET', '/apis/apps'), 'get|||||||p');
  assert.equal(attrs('POST', '/version'), 'post|||||||p');
});

test('the 403 message and details of each request shape', () => {
  const user = { name: 'system:serviceaccount:hwyu:sa', groups: [] };
  const base = { user, resourceRequest: true, path: '', apiVersion: 'v1', subresource: '', name: '', namespace: 'hwyu', apiGroup: '' };
  let e = forbiddenError({ ...base, verb: 'list', resource: 'pods' }, '');
  assert.equal(e.message, 'pods is forbidden: User "system:serviceaccount:hwyu:sa" cannot list resource "pods" in API group "" in the namespace "hwyu"');
  assert.deepEqual(e.details, { kind: 'pods' });
  e = forbiddenError({ ...base, verb: 'get', resource: 'secrets', name: 'db' }, '');
  assert.equal(e.message, 'secrets "db" is forbidden: User "system:serviceaccount:hwyu:sa" cannot get resource "secrets" in API group "" in the namespace "hwyu"');
  e = forbiddenError({ ...base, verb: 'list', resource: 'deployments', apiGroup: 'apps', namespace: '' }, 'RBAC: clusterrole.rbac.authorization.k8s.io "x" not found');
  assert.equal(e.message, 'deployments.apps is forbidden: User "system:serviceaccount:hwyu:sa" cannot list resource "deployments" in API group "apps" at the cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io "x" not found');
  assert.deepEqual(e.details, { group: 'apps', kind: 'deployments' });
  e = forbiddenError({ ...base, verb: 'create', resource: 'pods', subresource: 'exec', name: 'web-0' }, '');
  assert.match(e.message, /^pods "web-0" is forbidden: .* cannot create resource "pods\/exec" in API group ""/);
  e = forbiddenError({ ...base, resourceRequest: false, verb: 'get', path: '/metrics', resource: '' }, '');
  assert.equal(e.message, 'forbidden: User "system:serviceaccount:hwyu:sa" cannot get path "/metrics"');
  assert.equal(e.code, 403);
});
