// rbac.authorization.k8s.io/v1 defaults: the roleRef and subject API groups.
import type { ClusterRoleBinding, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { Loose } from '../loose.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function defaultBinding(binding: Loose<RoleBinding | ClusterRoleBinding>): void {
  const roleRef = (binding.roleRef ??= {});
  if (!roleRef.apiGroup) roleRef.apiGroup = RBAC_GROUP;
  // ServiceAccount subjects keep the core group, which serializes as an absent apiGroup.
  for (const subject of binding.subjects ?? []) {
    if (!subject.apiGroup && (subject.kind === 'User' || subject.kind === 'Group')) subject.apiGroup = RBAC_GROUP;
  }
}
