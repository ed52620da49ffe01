// The RBAC registry's escalation checks (pkg/registry/rbac/*/policybased): writing a role needs `escalate`
// or every permission it grants; binding needs `bind` on the role or every permission the role grants;
// an aggregationRule needs cluster-admin. Members of system:masters are exempt, as are the server's own
// writes (no user).

import type { ClusterRole, PolicyRule, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { forbidden, notFound } from '../../machinery/errors.js';
import type { KObject } from '../../storage/store.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.js';
import { SYSTEM_MASTERS, type UserInfo } from '../authentication/user.js';
import type { Authorizer, RuleResolver } from '../authorization/attributes.js';
import { escalationError } from '../authorization/escalation.js';
import type { RoleSource } from '../authorization/rbac.js';

const RBAC = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

export interface EscalationDeps {
  authorizer: Authorizer;
  rules: RuleResolver;
  roles: RoleSource;
}

function authorized(deps: EscalationDeps, user: UserInfo, verb: string, resource: string, namespace: string, name: string): boolean {
  return deps.authorizer.authorize({ user, verb, resourceRequest: true, path: '', apiGroup: RBAC, apiVersion: 'v1', resource, subresource: '', namespace, name }).decision === 'allow';
}

/** Only metadata the garbage collector maintains changed (IsOnlyMutatingGCFields). */
function onlyGCFields(a: AdmissionAttributes): boolean {
  if (a.operation !== 'UPDATE' || !a.old) return false;
  const strip = (o: KObject) => ({ ...o, metadata: { ...o.metadata, ownerReferences: undefined, finalizers: undefined, resourceVersion: undefined, managedFields: undefined } });
  return JSON.stringify(strip(a.object)) === JSON.stringify(strip(a.old));
}

export function rbacEscalation(deps: EscalationDeps): AdmissionPlugin {
  return {
    name: 'RBACEscalation',
    validate(a) {
      const user = a.user;
      if (!user || a.resource.group !== RBAC || a.subresource || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      if (user.groups.includes(SYSTEM_MASTERS) || onlyGCFields(a)) return;
      const plural = a.resource.plural;
      const ns = a.namespace;
      const refuse = (why: string) => forbidden(a.resource, a.name, why);
      if (plural === 'roles' || plural === 'clusterroles') {
        const role = a.object as ClusterRole;
        if (authorized(deps, user, 'escalate', plural, ns, a.name)) return;
        const aggregating = !!role.aggregationRule || !!(a.old as ClusterRole | undefined)?.aggregationRule;
        if (aggregating && escalationError(deps.rules, user, ns, FULL_AUTHORITY)) throw refuse('must have cluster-admin privileges to use the aggregationRule');
        const err = escalationError(deps.rules, user, ns, role.rules ?? []);
        if (err) throw refuse(err);
        return;
      }
      if (plural !== 'rolebindings' && plural !== 'clusterrolebindings') return;
      const binding = a.object as unknown as RoleBinding;
      const ref = binding.roleRef;
      if (a.operation === 'UPDATE' && JSON.stringify(ref) === JSON.stringify((a.old as unknown as RoleBinding).roleRef) && JSON.stringify(binding.subjects) === JSON.stringify((a.old as unknown as RoleBinding).subjects)) return;
      const refPlural = ref.kind === 'Role' ? 'roles' : 'clusterroles';
      if (ref.apiGroup === RBAC && authorized(deps, user, 'bind', refPlural, ref.kind === 'Role' ? ns : plural === 'rolebindings' ? ns : '', ref.name)) return;
      const role = ref.kind === 'Role' ? deps.roles.getRole(ns, ref.name) : deps.roles.getClusterRole(ref.name);
      if (!role) throw notFound({ group: RBAC, plural: refPlural }, ref.name);
      const err = escalationError(deps.rules, user, ns, role.rules ?? []);
      if (err) throw refuse(err);
    },
  };
}
