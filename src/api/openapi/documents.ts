// The /openapi/v3 discovery index and one OpenAPI 3.0 document per served group-version, shaped like the
// real kube-apiserver's (what `kubectl explain`, `apply` and `create` read).
import { createHash } from 'node:crypto';
import { RESOURCES, groupVersion, groupVersions } from '../resources.js';
import { REF_PREFIX, definitions, type GroupVersionKind, type Schema } from './definitions.js';
import { resourcePaths, type PathItem } from './paths.js';

export interface OpenAPIDocument {
  body: string;
  /** Upper-case hex SHA-512 of body, as the real server puts in `?hash=`. */
  hash: string;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

const documents = new Map<string, OpenAPIDocument>();

/** `api/v1`, `apis/apps/v1`: the key of a group-version in the index and in `/openapi/v3/<key>`. */
export function openapiPath(gv: { group: string; version: string }): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
}

function collectRefs(value: unknown, out: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v.slice(REF_PREFIX.length));
      else collectRefs(v, out);
    }
  }
}

function reachable(roots: string[]): string[] {
  const defs = definitions();
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name) || !defs[name]) continue;
    seen.add(name);
    collectRefs(defs[name], stack);
  }
  return [...seen].sort();
}

/** meta.k8s.io types are registered in every group-version; the real documents list them all. */
export function metaKinds(): Record<string, GroupVersionKind[]> {
  const every = (kind: string) => groupVersions().map(({ group, version }) => ({ group, kind, version }));
  return {
    [`${META}.DeleteOptions`]: every('DeleteOptions'),
    [`${META}.WatchEvent`]: every('WatchEvent'),
    [`${META}.Status`]: [{ group: '', kind: 'Status', version: 'v1' }],
  };
}

function sorted<T>(entries: Array<[string, T]>): Record<string, T> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function build(gv: { group: string; version: string }): OpenAPIDocument {
  const key = groupVersion(gv);
  const paths: Array<[string, PathItem]> = [];
  for (const r of RESOURCES) {
    if (groupVersion(r) === key) paths.push(...Object.entries(resourcePaths(r)));
  }
  const roots: string[] = [];
  collectRefs(paths, roots);
  const kinds = metaKinds();
  roots.push(...Object.keys(kinds));
  const defs = definitions();
  const schemas = reachable(roots).map((name): [string, Schema] => {
    const gvks = kinds[name];
    return [name, gvks ? { ...defs[name], 'x-kubernetes-group-version-kind': gvks } : defs[name]];
  });
  const doc = {
    components: {
      schemas: Object.fromEntries(schemas),
      securitySchemes: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
    },
    info: { title: 'Kubernetes', version: 'unversioned' },
    openapi: '3.0.0',
    paths: sorted(paths),
  };
  const body = JSON.stringify(doc);
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

/** The document served at `/openapi/v3/<gvPath>` (`api/v1`, `apis/apps/v1`), or undefined if not served. */
export function openapiDocument(gvPath: string): OpenAPIDocument | undefined {
  const cached = documents.get(gvPath);
  if (cached) return cached;
  const gv = groupVersions().find((g) => openapiPath(g) === gvPath);
  if (!gv) return undefined;
  const doc = build(gv);
  documents.set(gvPath, doc);
  return doc;
}

/** The body of `GET /openapi/v3`: every served group-version with a content-hashed URL. */
export function openapiIndex(): { paths: Record<string, { serverRelativeURL: string }> } {
  const entries = groupVersions().map((gv): [string, { serverRelativeURL: string }] => {
    const path = openapiPath(gv);
    return [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${openapiDocument(path)!.hash}` }];
  });
  return { paths: sorted(entries) };
}
