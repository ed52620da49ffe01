// The authorizer chain of kube-apiserver's default modes (Node,RBAC) behind the privileged-group
// short cut: the first authorizer with an opinion decides; reasons of the others are joined.

import { SYSTEM_MASTERS } from '../authentication/user.js';
import type { Attributes, AuthorizationResult, Authorizer } from './attributes.js';

export class UnionAuthorizer implements Authorizer {
  constructor(private authorizers: Authorizer[]) {}

  authorize(a: Attributes): AuthorizationResult {
    const reasons: string[] = [];
    for (const authorizer of this.authorizers) {
      const result = authorizer.authorize(a);
      if (result.decision !== 'noOpinion') return result;
      if (result.reason) reasons.push(result.reason);
    }
    return { decision: 'noOpinion', reason: reasons.join('\n') };
  }
}

/** Members of system:masters may do anything (authorizerfactory's privileged groups). */
export const privilegedGroups: Authorizer = {
  authorize: (a) => (a.user.groups.includes(SYSTEM_MASTERS) ? { decision: 'allow', reason: '' } : { decision: 'noOpinion', reason: '' }),
};

/**
 * Remembers decisions until an RBAC object changes (`version` moves); requests repeat the same few
 * attribute sets, so this keeps authorization off the hot path.
 */
export class CachingAuthorizer implements Authorizer {
  private cache = new Map<string, AuthorizationResult>();
  private cachedVersion = -1;

  constructor(
    private inner: Authorizer,
    private version: () => number,
    private maxEntries = 10_000,
  ) {}

  authorize(a: Attributes): AuthorizationResult {
    const v = this.version();
    if (v !== this.cachedVersion || this.cache.size >= this.maxEntries) {
      this.cache.clear();
      this.cachedVersion = v;
    }
    const u = a.user;
    const key = [u.name, u.groups.join(','), a.verb, a.resourceRequest ? 'r' : 'p', a.path, a.apiGroup, a.resource, a.subresource, a.namespace, a.name].join('\u0000');
    let result = this.cache.get(key);
    if (!result) {
      result = this.inner.authorize(a);
      this.cache.set(key, result);
    }
    return result;
  }
}
