// authorizer.Attributes and the Authorizer contract (k8s.io/apiserver/pkg/authorization/authorizer).

import type { UserInfo } from '../authentication/user.js';

export interface Attributes {
  user: UserInfo;
  /** get list watch create update patch delete deletecollection (resources); get post put ... (paths); impersonate; ... */
  verb: string;
  resourceRequest: boolean;
  /** Request path, for non-resource requests (`/healthz`, `/api`). */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export type Decision = 'allow' | 'deny' | 'noOpinion';

export interface AuthorizationResult {
  decision: Decision;
  /** Why, when there is something to say (RBAC: missing roles a binding refers to). */
  reason: string;
}

export interface Authorizer {
  authorize(a: Attributes): AuthorizationResult;
}

/** What SelfSubjectRulesReview reports (authorization.k8s.io/v1 ResourceRule / NonResourceRule). */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

export interface RulesResult {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): RulesResult;
}
