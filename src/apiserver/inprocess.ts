// The in-process transport: components in the server process call the API without serialisation, but
// through the same chain as HTTP: they are authorized as themselves, then reach the same REST storage
// with the same defaulting, validation, admission and watch semantics.

import { groupVersion, lookupResource, type ResourceInfo } from '../api/resources.js';
import { resourceNotFound, StatusError } from '../machinery/errors.js';
import type { ClientWatchEvent, DeleteOpts, ListOpts, PatchKind, ResourceRef, Transport, WatchHandle, WatchOpts, WriteOpts } from '../client/transport.js';
import type { Registry } from '../registry/rest.js';
import { watch } from '../registry/watch.js';
import type { UserInfo } from './authentication/user.js';
import type { Authorizer } from './authorization/attributes.js';
import { forbiddenError } from './authorization/forbidden.js';
import type { RestStorage } from './reststorage.js';

export interface InProcessChain {
  registry: Registry;
  storage: RestStorage;
  authorizer: Authorizer;
}

export class InProcessTransport implements Transport {
  constructor(
    private chain: InProcessChain,
    readonly user: UserInfo,
  ) {}

  private get registry(): Registry {
    return this.chain.registry;
  }

  private info(ref: ResourceRef): ResourceInfo {
    const r = lookupResource(ref.group, ref.version, ref.plural);
    if (!r) throw resourceNotFound();
    return r;
  }

  private authorize(ref: ResourceRef, verb: string, namespace: string | undefined, name = '', subresource = ''): void {
    const attrs = {
      user: this.user,
      verb,
      resourceRequest: true,
      path: '',
      apiGroup: ref.group,
      apiVersion: ref.version,
      resource: ref.plural,
      subresource,
      namespace: namespace ?? '',
      name,
    };
    const result = this.chain.authorizer.authorize(attrs);
    if (result.decision !== 'allow') throw forbiddenError(attrs, result.reason);
  }

  private sub(r: ResourceInfo, subresource: string) {
    const storage = this.chain.storage.subresource(r, subresource);
    if (!storage) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${groupVersion(r)} ${r.plural}/${subresource})`, {});
    return storage;
  }

  /** As over HTTP: writes resolve once committed and in the watch cache; reads first catch the cache up with the backend. */
  private async run<T>(fn: () => T | Promise<T>, read = false): Promise<T> {
    if (read) await this.registry.store.fresh();
    return fn();
  }

  private opts(extra: WriteOpts = {}) {
    return { ...extra, fieldValidation: 'Ignore' as const, user: this.user };
  }

  get(ref: ResourceRef, ns: string, name: string, subresource?: string): Promise<unknown> {
    return this.run(() => {
      this.authorize(ref, 'get', ns, name, subresource);
      const r = this.info(ref);
      if (!subresource) return this.registry.get(r, ns, name);
      const storage = this.sub(r, subresource);
      if (!storage.get) throw new StatusError(405, 'MethodNotAllowed', `get is not supported on ${ref.plural}/${subresource}`, {});
      return storage.get({ user: this.user, namespace: ns, name, opts: this.opts() });
    }, true);
  }

  list(ref: ResourceRef, ns: string | undefined, opts: ListOpts = {}): Promise<unknown> {
    return this.run(() => {
      this.authorize(ref, 'list', ns);
      return this.registry.list(this.info(ref), ns, opts);
    }, true);
  }

  create(ref: ResourceRef, ns: string, obj: unknown, opts: WriteOpts = {}): Promise<unknown> {
    return this.run(() => {
      this.authorize(ref, 'create', ns);
      const r = this.info(ref);
      const createOnly = this.chain.storage.createOnly(r);
      const body = structuredClone(obj);
      if (createOnly) return createOnly({ user: this.user, namespace: ns, name: '', opts: this.opts(opts) }, body);
      return this.registry.create(r, ns, body, this.opts(opts));
    });
  }

  createSubresource(ref: ResourceRef, ns: string, name: string, subresource: string, obj: unknown): Promise<unknown> {
    return this.run(() => {
      this.authorize(ref, 'create', ns, name, subresource);
      const storage = this.sub(this.info(ref), subresource);
      if (!storage.create) throw new StatusError(405, 'MethodNotAllowed', `create is not supported on ${ref.plural}/${subresource}`, {});
      return storage.create({ user: this.user, namespace: ns, name, opts: this.opts() }, structuredClone(obj));
    });
  }

  update(ref: ResourceRef, ns: string, obj: unknown, subresource?: string, opts: WriteOpts = {}): Promise<unknown> {
    return this.run(() => {
      const name = (obj as { metadata: { name: string } }).metadata.name;
      this.authorize(ref, 'update', ns, name, subresource);
      const r = this.info(ref);
      if (!subresource) return this.registry.update(r, ns, name, structuredClone(obj), this.opts(opts));
      const storage = this.sub(r, subresource);
      if (!storage.update) throw new StatusError(405, 'MethodNotAllowed', `update is not supported on ${ref.plural}/${subresource}`, {});
      return storage.update({ user: this.user, namespace: ns, name, opts: this.opts(opts) }, structuredClone(obj));
    });
  }

  patch(ref: ResourceRef, ns: string, name: string, kind: PatchKind, patch: unknown, subresource?: string): Promise<unknown> {
    return this.run(() => {
      this.authorize(ref, 'patch', ns, name, subresource);
      const r = this.info(ref);
      if (!subresource) return this.registry.patch(r, ns, name, kind, JSON.stringify(patch), this.opts());
      const storage = this.sub(r, subresource);
      if (!storage.patch) throw new StatusError(405, 'MethodNotAllowed', `patch is not supported on ${ref.plural}/${subresource}`, {});
      return storage.patch({ user: this.user, namespace: ns, name, opts: this.opts() }, kind, JSON.stringify(patch));
    });
  }

  delete(ref: ResourceRef, ns: string, name: string, opts: DeleteOpts = {}): Promise<unknown> {
    return this.run(() => {
      this.authorize(ref, 'delete', ns, name);
      return this.registry.delete(this.info(ref), ns, name, opts, { user: this.user });
    });
  }

  watch(ref: ResourceRef, ns: string | undefined, opts: WatchOpts, onEvent: (ev: ClientWatchEvent) => void, onClose: (err?: Error) => void): WatchHandle {
    // Live events come from the store's group commit, which runs on its own turn of the event loop, so a
    // handler never runs inside the write that caused it; it sees its own component's writes one turn later.
    let stopped = false;
    let stop: () => void = () => {};
    try {
      this.authorize(ref, 'watch', ns);
      stop = watch(this.registry, this.info(ref), ns, opts, (ev) => {
        if (!stopped) onEvent(ev);
      });
    } catch (e) {
      setImmediate(() => onClose(e as Error));
    }
    return {
      stop() {
        stopped = true;
        stop();
      },
    };
  }
}
