// The service-account token authenticator (pkg/serviceaccount/jwt.go JWTTokenAuthenticator): a JWT from
// our issuer (bound tokens) or the legacy one (Secret tokens), signed by one of our keys, whose service
// account, and bound pod or secret, still exist with the same UIDs.

import type { Clock } from '../../../machinery/clock.js';
import { unauthorized } from '../../../machinery/errors.js';
import type { Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { KObject, Store } from '../../../storage/store.js';
import type { TokenAuthenticator } from '../token.js';
import type { UserInfo } from '../user.js';
import { LEGACY_ISSUER, validateClaims, type TokenLookup, type ValidatedToken } from './claims.js';
import { peekIssuer, verifyJwt } from './jwt.js';
import type { SigningKey } from './signingkey.js';

export interface ServiceAccountTokenOptions {
  issuer: string;
  apiAudiences: string[];
  keys: SigningKey[];
  clock: Clock;
}

/** The objects tokens are bound to, read from the store. */
export function storeTokenLookup(store: Store): TokenLookup {
  const meta = (o: KObject | undefined) => (o ? { uid: o.metadata.uid as string, ...(o.metadata.deletionTimestamp ? { deletionTimestamp: o.metadata.deletionTimestamp as string } : {}) } : undefined);
  return {
    serviceAccount: (ns, name) => meta(store.get('serviceaccounts', ns, name)?.object),
    pod(ns, name) {
      const pod = store.get('pods', ns, name)?.object as (Pod & KObject) | undefined;
      return pod && { ...meta(pod)!, nodeName: pod.spec?.nodeName, serviceAccountName: pod.spec?.serviceAccountName };
    },
    secret(ns, name) {
      const secret = store.get('secrets', ns, name)?.object as (Secret & KObject) | undefined;
      const token = secret?.data?.token;
      return secret && { ...meta(secret)!, ...(typeof token === 'string' ? { token: Buffer.from(token, 'base64').toString('utf8') } : {}) };
    },
    node: (name) => meta(store.get('nodes', '', name)?.object),
  };
}

export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  private lookup: TokenLookup;

  constructor(
    store: Store,
    private opts: ServiceAccountTokenOptions,
  ) {
    this.lookup = storeTokenLookup(store);
  }

  /** The token's user and audiences; throws the validation error's text for a token of ours that is not valid. */
  review(token: string, requestedAudiences?: string[]): ValidatedToken | undefined {
    const iss = peekIssuer(token);
    if (iss !== this.opts.issuer && iss !== LEGACY_ISSUER) return undefined;
    const { payload } = verifyJwt(token, this.opts.keys);
    return validateClaims(payload, {
      issuers: [this.opts.issuer],
      audiences: this.opts.apiAudiences,
      ...(requestedAudiences?.length ? { requestedAudiences } : {}),
      nowMs: this.opts.clock.now(),
      lookup: this.lookup,
      tokenData: token,
    });
  }

  authenticate(token: string): UserInfo | undefined {
    try {
      return this.review(token)?.user;
    } catch {
      // The reason stays on the server, as kube-apiserver answers every failed credential with a bare 401.
      throw unauthorized();
    }
  }
}
