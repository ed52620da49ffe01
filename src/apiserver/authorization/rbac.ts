// The RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go) over the rule resolver of
// pkg/registry/rbac/validation/rule.go: ClusterRoleBindings first, then the RoleBindings of the request's
// namespace; rules only allow, so the first matching rule decides.

import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { UserInfo } from '../authentication/user.js';
import type { Attributes, AuthorizationResult, Authorizer, NonResourceRule, ResourceRule, RuleResolver, RulesResult } from './attributes.js';
import { appliesTo, ruleAllows } from './rbac_rules.js';

export interface RoleSource {
  getRole(ns: string, name: string): Role | undefined;
  getClusterRole(name: string): ClusterRole | undefined;
  listRoleBindings(ns: string): RoleBinding[];
  listClusterRoleBindings(): ClusterRoleBinding[];
}

type Binding = ClusterRoleBinding | RoleBinding;


const NO_OPINION: AuthorizationResult = Object.freeze({ decision: 'noOpinion', reason: '' });

export class RBACAuthorizer implements Authorizer, RuleResolver {
  constructor(private source: RoleSource) {}

  // The visit of VisitRulesFor written out, so the hot path allocates nothing until it has an answer.
  authorize(a: Attributes): AuthorizationResult {
    let errors: string[] | undefined;
    for (const b of this.source.listClusterRoleBindings()) {
      const i = appliesTo(a.user, b.subjects, '');
      if (i < 0) continue;
      const rules = this.roleRefRules(b.roleRef, '');
      if (typeof rules === 'string') (errors ??= []).push(rules);
      else if (anyAllows(a, rules)) return allowedBy(b, '', b.subjects![i]);
    }
    if (a.namespace) {
      for (const b of this.source.listRoleBindings(a.namespace)) {
        const i = appliesTo(a.user, b.subjects, a.namespace);
        if (i < 0) continue;
        const rules = this.roleRefRules(b.roleRef, a.namespace);
        if (typeof rules === 'string') (errors ??= []).push(rules);
        else if (anyAllows(a, rules)) return allowedBy(b, a.namespace, b.subjects![i]);
      }
    }
    return errors ? { decision: 'noOpinion', reason: `RBAC: ${aggregate(errors)}` } : NO_OPINION;
  }

  rulesFor(user: UserInfo, namespace: string): RulesResult {
    const resourceRules: ResourceRule[] = [];
    const nonResourceRules: NonResourceRule[] = [];
    const errors: string[] = [];
    for (const rules of this.applyingRules(user, namespace)) {
      if (typeof rules === 'string') {
        errors.push(rules);
        continue;
      }
      for (const r of rules) {
        if (r.resources?.length) {
          resourceRules.push({
            verbs: [...r.verbs],
            ...(r.apiGroups ? { apiGroups: [...r.apiGroups] } : {}),
            resources: [...r.resources],
            ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}),
          });
        }
        if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
      }
    }
    return { resourceRules, nonResourceRules, incomplete: false, ...(errors.length ? { evaluationError: aggregate(errors) } : {}) };
  }

  /** The rules of every binding applying to `user`, or the error text of its role lookup. */
  private *applyingRules(user: UserInfo, namespace: string): Generator<PolicyRule[] | string> {
    for (const b of this.source.listClusterRoleBindings()) if (appliesTo(user, b.subjects, '') >= 0) yield this.roleRefRules(b.roleRef, '');
    if (!namespace) return;
    for (const b of this.source.listRoleBindings(namespace)) if (appliesTo(user, b.subjects, namespace) >= 0) yield this.roleRefRules(b.roleRef, namespace);
  }

  /** The rules a roleRef points to, or the error text of the lookup (GetRoleReferenceRules). */
  private roleRefRules(ref: RoleRef, namespace: string): PolicyRule[] | string {
    switch (ref.kind) {
      case 'Role': {
        const role = this.source.getRole(namespace, ref.name);
        return role ? (role.rules ?? []) : `role.rbac.authorization.k8s.io "${ref.name}" not found`;
      }
      case 'ClusterRole': {
        const role = this.source.getClusterRole(ref.name);
        return role ? (role.rules ?? []) : `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found`;
      }
      default:
        return `unsupported role reference kind: "${ref.kind}"`;
    }
  }
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several de-duplicated inside `[a, b]`. */
export function aggregate(messages: string[]): string {
  if (messages.length === 1) return messages[0];
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

function anyAllows(a: Attributes, rules: PolicyRule[]): boolean {
  for (const r of rules) if (ruleAllows(a, r)) return true;
  return false;
}

// The reason names the binding as clusterRoleBindingDescriber / roleBindingDescriber do.
function allowedBy(b: Binding, ns: string, s: Subject): AuthorizationResult {
  const subject = s.kind === 'ServiceAccount' ? `${s.kind} "${s.name}/${s.namespace || ns}"` : `${s.kind} "${s.name}"`;
  const name = ns ? `RoleBinding "${b.metadata?.name}/${ns}"` : `ClusterRoleBinding "${b.metadata?.name}"`;
  return { decision: 'allow', reason: `RBAC: allowed by ${name} of ${b.roleRef.kind} "${b.roleRef.name}" to ${subject}` };
}
