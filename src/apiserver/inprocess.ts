// The in-process transport: components in the server process call the registry directly, with the
// same defaulting, validation, admission and watch semantics as HTTP, and no serialisation.

import { lookupResource, type ResourceInfo } from '../api/resources.js';
import { resourceNotFound, StatusError } from '../machinery/errors.js';
import type { ClientWatchEvent, DeleteOpts, ListOpts, PatchKind, ResourceRef, Transport, WatchHandle, WatchOpts, WriteOpts } from '../client/transport.js';
import { bindPod } from '../registry/binding.js';
import type { Registry } from '../registry/rest.js';
import { getScale } from '../registry/scale.js';
import { watch } from '../registry/watch.js';

export interface InProcessExtras {
  evict?(ns: string, name: string, body: any): any;
}

export class InProcessTransport implements Transport {
  constructor(
    private registry: Registry,
    private extras: InProcessExtras = {},
  ) {}

  private info(ref: ResourceRef): ResourceInfo {
    const r = lookupResource(ref.group, ref.version, ref.plural);
    if (!r) throw resourceNotFound();
    return r;
  }

  /** Like an HTTP reply, a result comes back only once every write so far is committed and announced. */
  private async run<T>(fn: () => T): Promise<T> {
    const v = fn();
    await this.registry.store.settled();
    return v;
  }

  get(ref: ResourceRef, ns: string, name: string, subresource?: string): Promise<any> {
    return this.run(() => (subresource === 'scale' ? getScale(this.registry, this.info(ref), ns, name) : this.registry.get(this.info(ref), ns, name)));
  }

  list(ref: ResourceRef, ns: string | undefined, opts: ListOpts = {}): Promise<any> {
    return this.run(() => this.registry.list(this.info(ref), ns, opts));
  }

  create(ref: ResourceRef, ns: string, obj: any, opts: WriteOpts = {}): Promise<any> {
    return this.run(() => this.registry.create(this.info(ref), ns, structuredClone(obj), { ...opts, fieldValidation: 'Ignore' }));
  }

  createSubresource(ref: ResourceRef, ns: string, name: string, subresource: string, obj: any): Promise<any> {
    return this.run(() => {
      if (ref.plural === 'pods' && subresource === 'binding') return bindPod(this.registry, ns, name, obj);
      if (ref.plural === 'pods' && subresource === 'eviction' && this.extras.evict) return this.extras.evict(ns, name, obj);
      throw new StatusError(405, 'MethodNotAllowed', `create is not supported on ${ref.plural}/${subresource}`, {});
    });
  }

  update(ref: ResourceRef, ns: string, obj: any, subresource?: string, opts: WriteOpts = {}): Promise<any> {
    return this.run(() => this.registry.update(this.info(ref), ns, obj.metadata.name, structuredClone(obj), { ...opts, fieldValidation: 'Ignore' }, subresource));
  }

  patch(ref: ResourceRef, ns: string, name: string, kind: PatchKind, patch: unknown, subresource?: string): Promise<any> {
    return this.run(() => this.registry.patch(this.info(ref), ns, name, kind, JSON.stringify(patch), { fieldValidation: 'Ignore' }, subresource));
  }

  delete(ref: ResourceRef, ns: string, name: string, opts: DeleteOpts = {}): Promise<any> {
    return this.run(() => this.registry.delete(this.info(ref), ns, name, opts));
  }

  watch(ref: ResourceRef, ns: string | undefined, opts: WatchOpts, onEvent: (ev: ClientWatchEvent) => void, onClose: (err?: Error) => void): WatchHandle {
    // Live events come from the store's group commit, which runs on its own turn of the event loop, so a
    // handler never runs inside the write that caused it; it sees its own component's writes one turn later.
    let stopped = false;
    let stop: () => void = () => {};
    try {
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
