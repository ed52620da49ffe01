import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { RuleResolver } from './attributes.js';
import { breakdownRule, compactString, escalationError, uncoveredRules } from './escalation.js';

test('rules break down into one group, resource and verb each', () => {
  assert.deepEqual(breakdownRule({ apiGroups: ['', 'apps'], resources: ['pods'], verbs: ['get', 'list'] }).map(compactString), [
    '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}',
    '{APIGroups:[""], Resources:["pods"], Verbs:["list"]}',
    '{APIGroups:["apps"], Resources:["pods"], Verbs:["get"]}',
    '{APIGroups:["apps"], Resources:["pods"], Verbs:["list"]}',
  ]);
});

test('covering as upstream: wildcards, */subresource, resource names, URL prefixes', () => {
  const owner: PolicyRule[] = [
    { apiGroups: [''], resources: ['pods', '*/scale'], verbs: ['get', 'list'] },
    { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['*'] },
    { nonResourceURLs: ['/healthz/*'], verbs: ['get'] },
  ];
  assert.deepEqual(uncoveredRules(owner, [{ apiGroups: [''], resources: ['pods', 'statefulsets/scale'], verbs: ['get'] }]), []);
  assert.deepEqual(uncoveredRules(owner, [{ apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['delete'] }]), []);
  assert.equal(uncoveredRules(owner, [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['delete'] }]).length, 1, 'any name is more than one name');
  assert.deepEqual(uncoveredRules(owner, [{ nonResourceURLs: ['/healthz/etcd'], verbs: ['get'] }]), []);
  assert.deepEqual(uncoveredRules(owner, [{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }]).map(compactString), ['{APIGroups:[""], Resources:["pods/log"], Verbs:["get"]}']);
});

test('the refusal names the user, its groups and the missing rules, compacted', () => {
  const resolver: RuleResolver = { rulesFor: () => ({ resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], nonResourceRules: [], incomplete: false }) };
  const user = { name: 'system:serviceaccount:hwyu:sa', groups: ['system:serviceaccounts', 'system:authenticated'] };
  assert.equal(escalationError(resolver, user, 'hwyu', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]), undefined);
  assert.equal(
    escalationError(resolver, user, 'hwyu', [{ apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'list'] }]),
    'user "system:serviceaccount:hwyu:sa" (groups=["system:serviceaccounts" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["pods"], Verbs:["list"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
  );
});
