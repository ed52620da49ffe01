// Per-resource REST storage beyond the generic store: the subresources (status, scale, binding,
// finalize, token) and the create-only virtual resources (access and token reviews). One map, used by
// the HTTP handlers and by the in-process transport alike.

import type { Namespace } from 'kubernetes-types/core/v1.js';
import { resourceKey, type ResourceInfo } from '../api/resources.js';
import { StatusError } from '../machinery/errors.js';
import { bindPod } from '../registry/binding.js';
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
  get?(req: RestRequest): object;
  /** POST */
  create?(req: RestRequest, body: unknown): object;
  /** PUT */
  update?(req: RestRequest, body: unknown): object;
  patch?(req: RestRequest, type: PatchType, body: string): object;
}

/** A resource that is only ever created and never stored: the answer is computed from the body. */
export type CreateOnlyStorage = (req: RestRequest, body: unknown) => object;

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

export function restStorage(reg: Registry, ext: RestStorageExtensions = {}): RestStorage {
  const named: Record<string, (r: ResourceInfo) => SubresourceStorage> = {
    'pods/binding': () => ({ create: (q, body) => bindPod(reg, q.namespace, q.name, body) }),
    'namespaces/finalize': (r) => finalizeStorage(reg, r),
    ...ext.subresources,
  };
  const cache = new Map<string, SubresourceStorage | undefined>();
  return {
    subresource(r, sub) {
      const key = `${resourceKey(r)}/${sub}`;
      if (cache.has(key)) return cache.get(key);
      let storage: SubresourceStorage | undefined;
      if (!r.subresources.some((s) => s.name === sub)) storage = undefined;
      else if (named[key]) storage = named[key](r);
      else if (sub === 'status') storage = statusStorage(reg, r);
      else if (sub === 'scale') storage = scaleStorage(reg, r);
      cache.set(key, storage);
      return storage;
    },
    createOnly: (r) => ext.createOnly?.[resourceKey(r)],
  };
}
