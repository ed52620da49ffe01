// rbac.authorization.k8s.io/v1: Roles, ClusterRoles and their bindings. Names only need to be path segments.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { Loose } from '../loose.js';
import { fieldNotSupported, fieldRequired } from '../../machinery/errors.js';
import { nameIsDNSSubdomain, validatePathSegmentName } from '../../machinery/names.js';
import { deepEqual } from './equality.js';
import { arr, child, each, index, invalid, invalidRendered, obj, str, type Errors } from './field.js';
import { validateName } from './formats.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validateLabelSelector } from './selector.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** A Role is a ClusterRole without aggregationRule. */
export type AnyRole = Loose<ClusterRole>;
export type AnyBinding = Loose<RoleBinding | ClusterRoleBinding>;

function validatePolicyRule(rule: Loose<PolicyRule>, namespaced: boolean, path: string): Errors {
  const errs: Errors = [];
  if (arr(rule.verbs).length === 0) errs.push(fieldRequired(child(path, 'verbs'), 'verbs must contain at least one value'));
  const urls = arr(rule.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(child(path, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (arr(rule.apiGroups).length > 0 || arr(rule.resources).length > 0 || arr(rule.resourceNames).length > 0) {
      errs.push(invalid(child(path, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (arr(rule.apiGroups).length === 0) errs.push(fieldRequired(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if (arr(rule.resources).length === 0) errs.push(fieldRequired(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRole(role: AnyRole, namespaced: boolean): Errors {
  const errs = validateObjectMeta(role.metadata, namespaced, validatePathSegmentName);
  arr<Loose<PolicyRule>>(role.rules).forEach((r, i) => errs.push(...validatePolicyRule(r, namespaced, index('rules', i))));
  const aggregation = role.aggregationRule;
  if (!namespaced && aggregation) {
    const selectors = arr(aggregation.clusterRoleSelectors);
    if (selectors.length === 0) errs.push(fieldRequired('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, index('aggregationRule.clusterRoleSelectors', i))));
  }
  return errs;
}

export const validateRoleUpdate = (role: AnyRole, old: AnyRole, namespaced: boolean): Errors => [
  ...validateRole(role, namespaced),
  ...validateObjectMetaUpdate(role.metadata, old.metadata, namespaced),
];

function validateSubject(subject: Loose<Subject>, namespaced: boolean, path: string): Errors {
  const errs: Errors = [];
  const name = str(subject.name);
  if (!name) errs.push(fieldRequired(child(path, 'name')));
  switch (subject.kind) {
    case 'ServiceAccount':
      if (name) errs.push(...validateName(nameIsDNSSubdomain, name, child(path, 'name')));
      if (subject.apiGroup) errs.push(fieldNotSupported(child(path, 'apiGroup'), subject.apiGroup, ['']));
      if (!namespaced && !subject.namespace) errs.push(fieldRequired(child(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (subject.apiGroup !== RBAC_GROUP) errs.push(fieldNotSupported(child(path, 'apiGroup'), subject.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(fieldNotSupported(child(path, 'kind'), subject.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

export function validateBinding(binding: AnyBinding, namespaced: boolean): Errors {
  const errs = validateObjectMeta(binding.metadata, namespaced, validatePathSegmentName);
  const roleRef = obj(binding.roleRef);
  if (roleRef.apiGroup !== RBAC_GROUP) errs.push(fieldNotSupported('roleRef.apiGroup', roleRef.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(roleRef.kind)) errs.push(fieldNotSupported('roleRef.kind', roleRef.kind ?? '', kinds));
  if (!roleRef.name) errs.push(fieldRequired('roleRef.name'));
  else errs.push(...each('roleRef.name', roleRef.name, validatePathSegmentName(str(roleRef.name), false)));
  arr<Loose<Subject>>(binding.subjects).forEach((s, i) => errs.push(...validateSubject(s, namespaced, index('subjects', i))));
  return errs;
}

export function validateBindingUpdate(binding: AnyBinding, old: AnyBinding, namespaced: boolean): Errors {
  const errs = [...validateBinding(binding, namespaced), ...validateObjectMetaUpdate(binding.metadata, old.metadata, namespaced)];
  if (!deepEqual(binding.roleRef, old.roleRef)) {
    const ref = obj(binding.roleRef);
    const rendered = `rbac.RoleRef{APIGroup:${JSON.stringify(str(ref.apiGroup))}, Kind:${JSON.stringify(str(ref.kind))}, Name:${JSON.stringify(str(ref.name))}}`;
    errs.push(invalidRendered('roleRef', rendered, 'cannot change roleRef'));
  }
  return errs;
}
