// Request paths: /api/v1/..., /apis/<group>/<version>/..., into resource, namespace, name and subresource.

import { lookupResource, type ResourceInfo } from '../api/resources.js';
import { badRequest, resourceNotFound } from '../machinery/errors.js';

export interface ResourceRequest {
  resource: ResourceInfo;
  /** The namespace from the path; '' for cluster-scoped requests and for all-namespace lists. */
  namespace: string;
  allNamespaces: boolean;
  name?: string;
  subresource?: string;
}

export interface ParsedPath {
  group: string;
  version: string;
  /** Path segments after the group-version. */
  rest: string[];
}

/** A request target split into its path segments, each decoded on its own, and its query. */
export interface RequestTarget {
  segments: string[];
  /** The segments joined again, for matching the non-resource paths (`/version`, `/openapi/v3/...`). */
  path: string;
  query: URLSearchParams;
}

/**
 * Split the raw request target without resolving it: kube-apiserver never reinterprets `.` or `..`, and
 * an escaped `%2F` stays inside its segment, so a path can only name what it spells.
 */
export function parseRequestTarget(target: string): RequestTarget {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const segments = rawPath.split('/').filter(Boolean).map(decodeSegment);
  return { segments, path: `/${segments.join('/')}`, query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

function decodeSegment(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    const bad = /%(?![0-9a-fA-F]{2})(.{0,2})/.exec(raw);
    throw badRequest(`invalid URL escape ${JSON.stringify(`%${bad?.[1] ?? ''}`)}`);
  }
}

export function parseApiPath(parts: string[]): ParsedPath | undefined {
  if (parts[0] === 'api' && parts[1]) return { group: '', version: parts[1], rest: parts.slice(2) };
  if (parts[0] === 'apis' && parts[1] && parts[2]) return { group: parts[1], version: parts[2], rest: parts.slice(3) };
  return undefined;
}

export function resolveResource(p: ParsedPath): ResourceRequest {
  let rest = p.rest;
  let namespace = '';
  const nsResource = rest[0] === 'namespaces' && rest.length >= 3 && !isNamespaceSubresource(p, rest[2]);
  if (nsResource) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = lookupResource(p.group, p.version, rest[0] ?? '');
  if (!resource || rest.length > 3 || resource.virtual) throw resourceNotFound();
  if (nsResource && !resource.namespaced) throw resourceNotFound();
  const req: ResourceRequest = { resource, namespace, allNamespaces: resource.namespaced && !nsResource };
  if (rest[1] !== undefined) req.name = rest[1];
  if (rest[2] !== undefined) {
    if (!resource.subresources.some((s) => s.name === rest[2])) throw resourceNotFound();
    req.subresource = rest[2];
  }
  if (req.name !== undefined && req.allNamespaces) throw resourceNotFound();
  return req;
}

function isNamespaceSubresource(p: ParsedPath, seg: string): boolean {
  return p.group === '' && (seg === 'status' || seg === 'finalize');
}
