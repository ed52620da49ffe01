// The API's request chain, assembled once per server: authenticators, the authorizer (system:masters,
// Node, RBAC), admission, the registry and its REST storage, and in-process clients that go through it
// as a named user.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultAdmission, type TolerationDefaults } from '../apiserver/admission/index.js';
import { ServiceAccountTokenAuthenticator } from '../apiserver/authentication/serviceaccount/authenticator.js';
import type { TokenAuthenticator } from '../apiserver/authentication/token.js';
import type { UserInfo } from '../apiserver/authentication/user.js';
import type { Authorizer, RuleResolver } from '../apiserver/authorization/attributes.js';
import { NodeAuthorizer } from '../apiserver/authorization/node.js';
import { RBACAuthorizer } from '../apiserver/authorization/rbac.js';
import { StoreRoleSource } from '../apiserver/authorization/rolesource.js';
import { CachingAuthorizer, privilegedGroups, UnionAuthorizer } from '../apiserver/authorization/union.js';
import { InProcessTransport } from '../apiserver/inprocess.js';
import { restStorage, type RestStorage } from '../apiserver/reststorage.js';
import { reviewStorage } from '../apiserver/reviews.js';
import { issuerDiscoveryPaths, tokenRequestStorage, type IssuerOptions } from '../apiserver/serviceaccounttoken.js';
import { Client } from '../client/client.js';
import type { Clock } from '../machinery/clock.js';
import { Registry } from '../registry/rest.js';
import type { Store } from '../storage/store.js';

export interface ApiChain {
  registry: Registry;
  storage: RestStorage;
  authorizer: Authorizer;
  rules: RuleResolver;
  authenticators: TokenAuthenticator[];
  /** Non-resource paths beyond the built-in ones (the issuer's discovery documents). */
  paths: Record<string, (req: IncomingMessage, res: ServerResponse) => void>;
  /** A client that acts as `user` through the whole chain. */
  clientFor(user: UserInfo): Client;
}

export interface ApiChainOptions {
  authenticators: TokenAuthenticator[];
  /** The service-account token issuer: TokenRequest, the token authenticator and the OIDC documents. */
  issuer?: IssuerOptions;
  defaultTolerations?: TolerationDefaults;
}

export function buildApiChain(store: Store, clock: Clock, opts: ApiChainOptions): ApiChain {
  const roles = new StoreRoleSource(store);
  const rbac = new RBACAuthorizer(roles);
  const authorizer = new UnionAuthorizer([privilegedGroups, new CachingAuthorizer(new UnionAuthorizer([new NodeAuthorizer(roles), rbac]), () => roles.version())]);
  const registry = new Registry(store, clock, defaultAdmission({ authorizer, rules: rbac, roles }, opts.defaultTolerations));
  const issuer = opts.issuer;
  const saTokens = issuer && new ServiceAccountTokenAuthenticator(store, { issuer: issuer.issuer, apiAudiences: issuer.apiAudiences, keys: [issuer.key], clock });
  const authenticators = saTokens ? [...opts.authenticators, saTokens] : opts.authenticators;
  const storage = restStorage(registry, {
    subresources: issuer ? { 'serviceaccounts/token': tokenRequestStorage(store, issuer) } : {},
    createOnly: reviewStorage({
      authorizer,
      rules: rbac,
      reviewToken(token, audiences) {
        try {
          const reviewed = saTokens?.review(token, audiences);
          if (reviewed) return reviewed;
        } catch (e) {
          return { error: `[invalid bearer token, ${(e as Error).message}]` };
        }
        for (const a of opts.authenticators) {
          const user = a.authenticate(token);
          if (user) return { user, audiences: audiences.length ? audiences : (issuer?.apiAudiences ?? []) };
        }
        return { error: '[invalid bearer token, square/go-jose: compact JWS format must have three parts]' };
      },
    }),
  });
  const chain = { registry, storage, authorizer };
  return {
    registry,
    storage,
    authorizer,
    rules: rbac,
    authenticators,
    paths: issuer ? issuerDiscoveryPaths(issuer) : {},
    clientFor: (user) => new Client(new InProcessTransport(chain, user)),
  };
}
