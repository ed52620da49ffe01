// Builders for the bootstrap policy data (rbacv1helpers.NewRule / NewClusterBinding / NewRoleBinding):
// verbs and resources are written space-separated to keep the tables short. Like RuleOrDie, every list is
// stored sorted, as a real cluster shows it.

import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';

const words = (s: string) => s.split(' ').filter(Boolean).sort();

export const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' } as const;
export const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } as const;
const RBAC_GROUP = 'rbac.authorization.k8s.io';

export const ReadWrite = 'get list watch create update patch delete deletecollection';
export const Read = 'get list watch';

/** A resource rule; `groups` '' is the core group. */
export function rule(verbs: string, groups: string[], resources: string, names?: string[]): PolicyRule {
  return { verbs: words(verbs), apiGroups: [...groups].sort(), resources: words(resources), ...(names ? { resourceNames: [...names].sort() } : {}) };
}

export function urls(verbs: string, paths: string): PolicyRule {
  return { verbs: words(verbs), nonResourceURLs: words(paths) };
}

/** eventsRule(): what every component needs to record events. */
export const eventsRule = (): PolicyRule => rule('create update patch', ['', 'events.k8s.io'], 'events');

export function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}): ClusterRole {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...labels }, annotations: { ...AUTOUPDATE } },
    rules,
  };
}

export function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: { name, namespace, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } }, rules };
}

export const user = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: 'User', name });
export const group = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: 'Group', name });
export const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

export function clusterRoleBinding(name: string, subjects: Subject[], roleName = name): ClusterRoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName },
    ...(subjects.length ? { subjects } : {}),
  };
}

export function roleBinding(namespace: string, name: string, roleName: string, subjects: Subject[]): RoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName },
    subjects,
  };
}
