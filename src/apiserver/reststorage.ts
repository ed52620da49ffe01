// Per-resource REST storage beyond the generic store: the subresources (status, scale, binding, eviction,
// finalize, token) and the create-only virtual resources (access and token reviews). One map, used by
// the HTTP handlers and by the in-process transport alike.

import type { Namespace } from 'kubernetes-types/core/v1.js';
import { groupVersion, resourceKey, type ResourceInfo } from '../api/resources.js';
import { decodeError, typeErrors } from '../api/openapi/typecheck.js';
import { badRequest, StatusError } from '../machinery/errors.js';
import { isPlainObject } from '../machinery/objects.js';
import { bindPod } from '../registry/binding.js';
import { evictPod } from '../registry/eviction.js';
import type { PatchType, WriteOptions } from '../registry/options.js';
import type { Registry } from '../registry/rest.js';
import type { KObject } from '../storage/store.js';
import { getScale, patchScale, updateScale } from '../registry/scale.js';
import type { UserInfo } from './authentication/user.js';

export interface RestRequest {
  user: UserInfo;
  namespace: string;
  name: string;
  opts: WriteOptions;
}

/** The verbs a subresource serves; a missing one is 405. */
export interface SubresourceStorage {
  get?(req: RestRequest): object | Promise<object>;
  /** POST */
  create?(req: RestRequest, body: unknown): object | Promise<object>;
  /** PUT */
  update?(req: RestRequest, body: unknown): object | Promise<object>;
  patch?(req: RestRequest, type: PatchType, body: string): object | Promise<object>;
}

/** A resource that is only ever created and never stored: the answer is computed from the body. */
export type CreateOnlyStorage = (req: RestRequest, body: unknown) => object | Promise<object>;

export interface RestStorage {
  subresource(r: ResourceInfo, sub: string): SubresourceStorage | undefined;
  createOnly(r: ResourceInfo): CreateOnlyStorage | undefined;
}

export interface RestStorageExtensions {
  /** Extra subresources by `<resource key>/<name>` (`serviceaccounts/token`). */
  subresources?: Record<string, (r: ResourceInfo) => SubresourceStorage>;
  createOnly?: Record<string, CreateOnlyStorage>;
}

function statusStorage(reg: Registry, r: ResourceInfo): SubresourceStorage {
  return {
    get: (q) => reg.get(r, q.namespace, q.name),
    update: (q, body) => reg.update(r, q.namespace, q.name, body, q.opts, 'status'),
    patch: (q, type, body) => reg.patch(r, q.namespace, q.name, type, body, q.opts, 'status'),
  };
}

function scaleStorage(reg: Registry, r: ResourceInfo): SubresourceStorage {
  return {
    get: (q) => getScale(reg, r, q.namespace, q.name),
    update: (q, body) => updateScale(reg, r, q.namespace, q.name, body, q.opts),
    patch: (q, type, body) => {
      if (type === 'apply') throw new StatusError(415, 'UnsupportedMediaType', 'server-side apply of a scale subresource is not supported by k8ts yet', {});
      return patchScale(reg, r, q.namespace, q.name, type, body, q.opts);
    },
  };
}

function finalizeStorage(reg: Registry, r: ResourceInfo): SubresourceStorage {
  return {
    update: (q, body) => {
      const next = structuredClone(reg.get(r, '', q.name)) as Namespace & KObject;
      next.spec = { ...(next.spec ?? {}), finalizers: (body as Namespace | undefined)?.spec?.finalizers ?? [] };
      if (!next.spec.finalizers?.length) delete next.spec.finalizers;
      return reg.update(r, '', q.name, next, q.opts);
    },
  };
}

/**
 * A body decoded as the typed struct of its kind would be, as the registry checks stored kinds: not an
 * object, or a field of the wrong type, is a 400 before any storage sees it.
 */
function checkBody(gv: { group: string; version: string }, kind: string, body: unknown): void {
  if (!isPlainObject(body)) throw badRequest(`the object provided is unrecognized (must be of type ${kind})`);
  const typeError = typeErrors(groupVersion(gv), kind, body);
  if (typeError) throw decodeError(kind, gv.version, typeError);
}

/** The storage with every create and update body checked against `kind` first. */
function checkingBodies(storage: SubresourceStorage, gv: { group: string; version: string }, kind: string): SubresourceStorage {
  const { create, update } = storage;
  return {
    ...storage,
    ...(create ? { create: (q: RestRequest, body: unknown) => (checkBody(gv, kind, body), create(q, body)) } : {}),
    ...(update ? { update: (q: RestRequest, body: unknown) => (checkBody(gv, kind, body), update(q, body)) } : {}),
  };
}

export function restStorage(reg: Registry, ext: RestStorageExtensions = {}): RestStorage {
  const named: Record<string, (r: ResourceInfo) => SubresourceStorage> = {
    'pods/binding': () => ({ create: (q, body) => bindPod(reg, q.namespace, q.name, body) }),
    'pods/eviction': () => ({ create: (q, body) => evictPod(reg, q.namespace, q.name, body, q.opts) }),
    'namespaces/finalize': (r) => finalizeStorage(reg, r),
    ...ext.subresources,
  };
  const cache = new Map<string, SubresourceStorage | undefined>();
  return {
    subresource(r, sub) {
      const key = `${resourceKey(r)}/${sub}`;
      if (cache.has(key)) return cache.get(key);
      const info = r.subresources.find((s) => s.name === sub);
      let storage: SubresourceStorage | undefined;
      // status writes are the resource's own kind, which the registry checks itself.
      if (!info) storage = undefined;
      else if (sub === 'status') storage = statusStorage(reg, r);
      else if (named[key]) storage = checkingBodies(named[key](r), info, info.kind);
      else if (sub === 'scale') storage = checkingBodies(scaleStorage(reg, r), info, info.kind);
      cache.set(key, storage);
      return storage;
    },
    createOnly(r) {
      const storage = ext.createOnly?.[resourceKey(r)];
      return storage && ((q, body) => (checkBody(r, r.kind, body), storage(q, body)));
    },
  };
}
