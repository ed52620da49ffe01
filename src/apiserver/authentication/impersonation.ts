// Impersonation (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go): `Impersonate-User`,
// `-Group`, `-Uid` and `-Extra-<key>` headers, each allowed only if the requester may `impersonate` it.

import type { IncomingHttpHeaders } from 'node:http';
import { internalError } from '../../machinery/errors.js';
import type { Attributes, Authorizer } from '../authorization/attributes.js';
import { forbiddenError } from '../authorization/forbidden.js';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS, parseServiceAccountUsername, serviceAccountGroups, type UserInfo } from './user.js';

const EXTRA_PREFIX = 'impersonate-extra-';

function headerValues(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** Extra keys are percent-encoded; one that does not decode is taken as written, as upstream does. */
function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** The user a request acts as: the requester, or whom it impersonates once every impersonation is authorized. */
export function impersonate(requester: UserInfo, headers: IncomingHttpHeaders, authorizer: Authorizer): UserInfo {
  const username = headers['impersonate-user'];
  const groups = headerValues(headers['impersonate-group']);
  const uid = headers['impersonate-uid'];
  const extra: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith(EXTRA_PREFIX)) extra[unescapeExtraKey(k.slice(EXTRA_PREFIX.length))] = headerValues(v);
  }
  const name = typeof username === 'string' ? username : undefined;
  if (name === undefined) {
    if (groups.length || uid !== undefined || Object.keys(extra).length) {
      throw internalError(`requested ${JSON.stringify({ groups, uid, extra })} without impersonating a user`);
    }
    return requester;
  }
  const check = (a: Omit<Attributes, 'user' | 'verb' | 'resourceRequest' | 'path' | 'apiVersion' | 'namespace'> & { namespace?: string }) => {
    const attrs: Attributes = { user: requester, verb: 'impersonate', resourceRequest: true, path: '', apiVersion: '', namespace: '', ...a };
    const result = authorizer.authorize(attrs);
    if (result.decision !== 'allow') throw forbiddenError(attrs, result.reason);
  };
  const sa = parseServiceAccountUsername(name);
  const allGroups = [...groups];
  if (sa) {
    check({ apiGroup: '', resource: 'serviceaccounts', subresource: '', namespace: sa.namespace, name: sa.name });
    allGroups.push(...serviceAccountGroups(sa.namespace));
  } else {
    check({ apiGroup: '', resource: 'users', subresource: '', name });
  }
  for (const g of groups) check({ apiGroup: '', resource: 'groups', subresource: '', name: g });
  if (typeof uid === 'string') check({ apiGroup: 'authentication.k8s.io', resource: 'uids', subresource: '', name: uid });
  for (const [key, values] of Object.entries(extra)) {
    for (const v of values) check({ apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v });
  }
  const marker = name === ANONYMOUS.name ? ALL_UNAUTHENTICATED : ALL_AUTHENTICATED;
  if (!allGroups.includes(ALL_AUTHENTICATED) && !allGroups.includes(ALL_UNAUTHENTICATED)) allGroups.push(marker);
  const user: UserInfo = { name, groups: allGroups };
  if (typeof uid === 'string') user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
