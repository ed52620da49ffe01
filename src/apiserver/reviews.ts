// The review APIs, create-only and never stored: SelfSubjectAccessReview, LocalSubjectAccessReview,
// SubjectAccessReview and SelfSubjectRulesReview (authorization.k8s.io/v1, behind `kubectl auth can-i`),
// SelfSubjectReview and TokenReview (authentication.k8s.io/v1, behind `kubectl auth whoami`).

import type { ResourceAttributes, NonResourceAttributes, SubjectAccessReviewSpec, SubjectAccessReviewStatus } from 'kubernetes-types/authorization/v1.js';
import { badRequest, invalid } from '../machinery/errors.js';
import { isPlainObject } from '../machinery/objects.js';
import type { UserInfo } from './authentication/user.js';
import type { Attributes, Authorizer, RuleResolver } from './authorization/attributes.js';
import type { CreateOnlyStorage, RestRequest } from './reststorage.js';

const AUTHZ = 'authorization.k8s.io/v1';
const AUTHN = 'authentication.k8s.io/v1';

function attributesOf(user: UserInfo, spec: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes }): Attributes {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      user,
      verb: r.verb ?? '',
      resourceRequest: true,
      path: '',
      apiGroup: r.group ?? '',
      apiVersion: r.version ?? '',
      resource: r.resource ?? '',
      subresource: r.subresource ?? '',
      namespace: r.namespace ?? '',
      name: r.name ?? '',
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { user, verb: n.verb ?? '', resourceRequest: false, path: n.path ?? '', apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}

function specOf(kind: string, body: unknown): SubjectAccessReviewSpec {
  if (!isPlainObject(body) || !isPlainObject(body.spec)) throw badRequest(`the body of the request was not a ${kind}`);
  const spec = body.spec as SubjectAccessReviewSpec;
  if (!!spec.resourceAttributes === !!spec.nonResourceAttributes) {
    const field = spec.resourceAttributes ? 'spec.resourceAttributes' : 'spec.nonResourceAttributes';
    throw invalid(kind, 'authorization.k8s.io', '', [
      { reason: 'FieldValueInvalid', field, message: `Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified` },
    ]);
  }
  return spec;
}

function decide(authorizer: Authorizer, a: Attributes): SubjectAccessReviewStatus {
  const result = authorizer.authorize(a);
  const status: SubjectAccessReviewStatus = { allowed: result.decision === 'allow' };
  if (result.decision === 'deny') status.denied = true;
  if (result.reason) status.reason = result.reason;
  return status;
}

/** The review as sent, with its status; `body` is an object here, the spec checks refused anything else. */
const answer = (apiVersion: string, kind: string, body: unknown, status: unknown) => {
  const b = body as Record<string, unknown>;
  return { kind, apiVersion, metadata: { ...(isPlainObject(b.metadata) ? b.metadata : {}), creationTimestamp: null }, spec: b.spec, status };
};

const userInfoOf = (u: UserInfo) => ({ username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) });

export interface ReviewDeps {
  authorizer: Authorizer;
  rules: RuleResolver;
  /** The user a bearer token belongs to (undefined if none), and the audiences it was accepted for. */
  reviewToken(token: string, audiences: string[]): { user: UserInfo; audiences: string[] } | { error: string };
}

export function reviewStorage(deps: ReviewDeps): Record<string, CreateOnlyStorage> {
  const selfAccess: CreateOnlyStorage = (q: RestRequest, body) => {
    const spec = specOf('SelfSubjectAccessReview', body);
    return answer(AUTHZ, 'SelfSubjectAccessReview', body, decide(deps.authorizer, attributesOf(q.user, spec)));
  };
  const subjectUser = (spec: SubjectAccessReviewSpec): UserInfo => ({
    name: spec.user ?? '',
    groups: Array.isArray(spec.groups) ? spec.groups : [],
    ...(spec.uid ? { uid: spec.uid } : {}),
    ...(spec.extra ? { extra: spec.extra } : {}),
  });
  const access: CreateOnlyStorage = (_q, body) => {
    const spec = specOf('SubjectAccessReview', body);
    if (!spec.user && !((spec.groups?.length ?? 0) > 0)) {
      throw invalid('SubjectAccessReview', 'authorization.k8s.io', '', [{ reason: 'FieldValueInvalid', field: 'spec.user', message: 'Invalid value: "": at least one of user or group must be specified' }]);
    }
    return answer(AUTHZ, 'SubjectAccessReview', body, decide(deps.authorizer, attributesOf(subjectUser(spec), spec)));
  };
  const localAccess: CreateOnlyStorage = (q, body) => {
    const spec = specOf('LocalSubjectAccessReview', body);
    const ns = spec.resourceAttributes?.namespace ?? '';
    if (spec.resourceAttributes && ns !== q.namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${q.namespace}`);
    return answer(AUTHZ, 'LocalSubjectAccessReview', body, decide(deps.authorizer, attributesOf(subjectUser(spec), spec)));
  };
  const selfRules: CreateOnlyStorage = (q, body) => {
    const spec = isPlainObject(body) ? body.spec : undefined;
    const namespace = isPlainObject(spec) ? spec.namespace : undefined;
    if (!namespace) throw badRequest('no namespace on request');
    const rules = deps.rules.rulesFor(q.user, namespace as string);
    return answer(AUTHZ, 'SelfSubjectRulesReview', body, {
      resourceRules: rules.resourceRules,
      nonResourceRules: rules.nonResourceRules,
      incomplete: rules.incomplete,
      ...(rules.evaluationError ? { evaluationError: rules.evaluationError } : {}),
    });
  };
  const selfReview: CreateOnlyStorage = (q) => ({ kind: 'SelfSubjectReview', apiVersion: AUTHN, metadata: { creationTimestamp: null }, status: { userInfo: userInfoOf(q.user) } });
  const tokenReview: CreateOnlyStorage = (_q, body) => {
    const sent = isPlainObject(body) ? body.spec : undefined;
    const spec = isPlainObject(sent) ? sent : {};
    if (!spec.token) throw invalid('TokenReview', 'authentication.k8s.io', '', [{ reason: 'FieldValueRequired', field: 'spec.token', message: 'Required value: token must be specified' }]);
    const result = deps.reviewToken(String(spec.token), Array.isArray(spec.audiences) ? (spec.audiences as string[]) : []);
    const status = 'error' in result ? { user: {}, error: result.error } : { authenticated: true, user: userInfoOf(result.user), audiences: result.audiences };
    return answer(AUTHN, 'TokenReview', body, status);
  };
  return {
    'authorization.k8s.io/selfsubjectaccessreviews': selfAccess,
    'authorization.k8s.io/subjectaccessreviews': access,
    'authorization.k8s.io/localsubjectaccessreviews': localAccess,
    'authorization.k8s.io/selfsubjectrulesreviews': selfRules,
    'authentication.k8s.io/selfsubjectreviews': selfReview,
    'authentication.k8s.io/tokenreviews': tokenReview,
  };
}
