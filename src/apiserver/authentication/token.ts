// Bearer-token authentication (k8s.io/apiserver/pkg/authentication/request/bearertoken): the first
// authenticator that knows a token says who it belongs to; a request without one is anonymous.

import type { IncomingHttpHeaders } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../../machinery/errors.js';
import { ALL_AUTHENTICATED, ANONYMOUS, type UserInfo } from './user.js';

/** Answers the user a token belongs to, undefined when the token is not its kind, or throws when it is but is invalid. */
export interface TokenAuthenticator {
  authenticate(token: string): UserInfo | undefined;
}

/** Fixed tokens, such as the admin token in the kubeconfig (kube-apiserver's --token-auth-file). */
export class StaticTokenAuthenticator implements TokenAuthenticator {
  private entries: Array<{ token: Buffer; user: UserInfo }>;

  constructor(entries: Array<{ token: string; user: UserInfo }>) {
    this.entries = entries.map((e) => ({ token: Buffer.from(e.token), user: withAuthenticated(e.user) }));
  }

  authenticate(token: string): UserInfo | undefined {
    const got = Buffer.from(token);
    return this.entries.find((e) => e.token.length === got.length && timingSafeEqual(e.token, got))?.user;
  }
}

export function withAuthenticated(user: UserInfo): UserInfo {
  return user.groups.includes(ALL_AUTHENTICATED) ? user : { ...user, groups: [...user.groups, ALL_AUTHENTICATED] };
}

/** The bearer token of an Authorization header, '' when the header is not a bearer credential. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (!h) return undefined;
  const parts = h.split(' ');
  if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer') return undefined;
  return parts[1];
}

/** authn: a 401 for a token nobody accepts, the anonymous user for a request without one. */
export function authenticateToken(token: string | undefined, authenticators: TokenAuthenticator[]): UserInfo {
  if (token === undefined) return ANONYMOUS;
  if (token) {
    for (const a of authenticators) {
      const user = a.authenticate(token);
      if (user) return user;
    }
  }
  throw unauthorized();
}
