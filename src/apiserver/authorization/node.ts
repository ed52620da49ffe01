// The Node authorizer, simplified: a kubelet (`system:node:<name>` in `system:nodes`) may do what the
// `system:node` ClusterRole grants. Upstream also narrows reads of secrets, configmaps, claims and
// volumes to those of pods bound to that node (a graph of pods); k8ts does not keep that graph yet.

import { NODES_GROUP } from '../authentication/user.js';
import type { AuthorizationResult, Authorizer, Attributes } from './attributes.js';
import type { RoleSource } from './rbac.js';
import { ruleAllows } from './rbac_rules.js';

const NO_OPINION: AuthorizationResult = { decision: 'noOpinion', reason: '' };

export class NodeAuthorizer implements Authorizer {
  constructor(private roles: RoleSource) {}

  authorize(a: Attributes): AuthorizationResult {
    if (!a.user.name.startsWith('system:node:') || !a.user.groups.includes(NODES_GROUP)) return NO_OPINION;
    const rules = this.roles.getClusterRole('system:node')?.rules ?? [];
    return rules.some((r) => ruleAllows(a, r)) ? { decision: 'allow', reason: '' } : NO_OPINION;
  }
}
