// RequestInfoFactory.NewRequestInfo: what a request asks to do, from its path, method and query alone,
// before anything is looked up, so authorization sees requests for resources that do not exist as well.

import { isValidPathSegmentName } from '../machinery/names.js';
import type { Attributes } from './authorization/attributes.js';
import type { UserInfo } from './authentication/user.js';

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** A Go strconv.ParseBool-like reading of `watch`, as the list-options decoder applies it. */
function isWatch(query: URLSearchParams): boolean {
  const v = query.get('watch');
  return v !== null && !['false', '0', 'f', 'F', 'FALSE', 'False', ''].includes(v);
}

function exactName(fieldSelector: string | null): string {
  if (!fieldSelector) return '';
  const terms = fieldSelector.split(',');
  for (const t of terms) {
    const m = /^metadata\.name(==|=)(.*)$/.exec(t.trim());
    if (m && isValidPathSegmentName(m[2]).length === 0) return m[2];
  }
  return '';
}

export function requestAttributes(user: UserInfo, method: string, segments: string[], path: string, query: URLSearchParams): Attributes {
  const attrs: Attributes = { user, verb: method.toLowerCase(), resourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  let parts = segments;
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return attrs;
  const grouped = parts[0] === 'apis';
  parts = parts.slice(1);
  if (grouped) {
    if (parts.length < 3) return attrs;
    attrs.apiGroup = parts[0];
    parts = parts.slice(1);
  }
  attrs.resourceRequest = true;
  attrs.apiVersion = parts[0];
  parts = parts.slice(1);
  attrs.verb = METHOD_VERBS[method] ?? '';
  if (parts[0] === 'namespaces' && parts.length > 1) {
    attrs.namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  attrs.resource = parts[0] ?? '';
  attrs.name = parts[1] ?? '';
  attrs.subresource = parts[2] ?? '';
  if (!attrs.name && attrs.verb === 'get') {
    attrs.verb = isWatch(query) ? 'watch' : 'list';
    attrs.name = exactName(query.get('fieldSelector'));
  }
  if (!attrs.name && attrs.verb === 'delete') attrs.verb = 'deletecollection';
  return attrs;
}
