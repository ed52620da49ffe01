// serviceaccounts/token (TokenRequest) and the issuer's discovery documents, wired to the signing key.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { ResourceInfo } from '../api/resources.js';
import type { Clock } from '../machinery/clock.js';
import { notFound } from '../machinery/errors.js';
import type { Store } from '../storage/store.js';
import { storeTokenLookup } from './authentication/serviceaccount/authenticator.js';
import { JWKS_PATH, OPENID_CONFIG_PATH, openIDConfiguration } from './authentication/serviceaccount/discovery.js';
import { jwks, type SigningKey } from './authentication/serviceaccount/signingkey.js';
import { issueToken } from './authentication/serviceaccount/tokenrequest.js';
import { sendJSON } from './negotiation.js';
import type { SubresourceStorage } from './reststorage.js';

export interface IssuerOptions {
  issuer: string;
  apiAudiences: string[];
  key: SigningKey;
  clock: Clock;
}

export function tokenRequestStorage(store: Store, opts: IssuerOptions): (r: ResourceInfo) => SubresourceStorage {
  const lookup = storeTokenLookup(store);
  return (r) => ({
    create(q, body) {
      const sa = store.get('serviceaccounts', q.namespace, q.name)?.object;
      if (!sa) throw notFound(r, q.name);
      return issueToken(body as TokenRequest, {
        namespace: q.namespace,
        serviceAccount: { name: q.name, uid: sa.metadata.uid! },
        lookup,
        key: opts.key,
        issuer: opts.issuer,
        apiAudiences: opts.apiAudiences,
        nowMs: opts.clock.now(),
      });
    },
  });
}

export function issuerDiscoveryPaths(opts: IssuerOptions): Record<string, (req: IncomingMessage, res: ServerResponse) => void> {
  return {
    [OPENID_CONFIG_PATH]: (_req, res) => sendJSON(res, 200, openIDConfiguration(opts.issuer)),
    [JWKS_PATH]: (_req, res) => sendJSON(res, 200, jwks([opts.key]), 'application/jwk-set+json'),
  };
}
