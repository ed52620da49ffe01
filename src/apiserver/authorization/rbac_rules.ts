// Rule and subject matching of RBAC (pkg/apis/rbac/v1/evaluation_helpers.go, plugin/pkg/auth/authorizer/rbac
// RuleAllows, pkg/registry/rbac/validation appliesTo). Called for every rule on every request: plain loops.

import type { PolicyRule, Subject } from 'kubernetes-types/rbac/v1.js';
import { SERVICE_ACCOUNT_PREFIX, type UserInfo } from '../authentication/user.js';
import type { Attributes } from './attributes.js';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  for (const v of rule.verbs) if (v === '*' || v === verb) return true;
  return false;
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  const groups = rule.apiGroups;
  if (!groups) return false;
  for (const g of groups) if (g === '*' || g === group) return true;
  return false;
}

// `combined` is `resource` or `resource/subresource`; a rule `*/<sub>` matches that subresource of any resource.
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  const resources = rule.resources;
  if (!resources) return false;
  for (const r of resources) {
    if (r === '*' || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** No resourceNames means any name; otherwise the request must name one of them (so never list or create). */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames;
  if (!names || names.length === 0) return true;
  for (const n of names) if (n === name) return true;
  return false;
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  const urls = rule.nonResourceURLs;
  if (!urls) return false;
  for (const u of urls) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*')) {
      let end = u.length - 1;
      while (end > 0 && u.charCodeAt(end - 1) === 42 /* * */) end--;
      if (path.length >= end && path.startsWith(u.slice(0, end))) return true;
    }
  }
  return false;
}

export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!a.resourceRequest) return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path);
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return verbMatches(rule, a.verb) && apiGroupMatches(rule, a.apiGroup) && resourceMatches(rule, combined, a.subresource) && resourceNameMatches(rule, a.name);
}

/**
 * Whether `subject` names `user`. `namespace` is the RoleBinding's namespace ('' for ClusterRoleBindings):
 * a ServiceAccount subject without a namespace means one in the binding's namespace.
 */
export function appliesToUser(user: UserInfo, subject: Subject, namespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || namespace;
      if (!ns) return false;
      // serviceaccount.MatchesUsername without building the string.
      const u = user.name;
      return (
        u.length === SERVICE_ACCOUNT_PREFIX.length + ns.length + 1 + subject.name.length &&
        u.startsWith(SERVICE_ACCOUNT_PREFIX) &&
        u.startsWith(ns, SERVICE_ACCOUNT_PREFIX.length) &&
        u.charCodeAt(SERVICE_ACCOUNT_PREFIX.length + ns.length) === 58 /* : */ &&
        u.endsWith(subject.name)
      );
    }
    default:
      return false;
  }
}

/** Index of the first subject naming `user`, or -1. */
export function appliesTo(user: UserInfo, subjects: Subject[] | undefined, namespace: string): number {
  if (!subjects) return -1;
  for (let i = 0; i < subjects.length; i++) if (appliesToUser(user, subjects[i], namespace)) return i;
  return -1;
}
