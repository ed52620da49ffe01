// The generic REST store (k8s.io/apiserver/pkg/registry/generic/registry.Store): every write goes
// through defaulting, validation, the status/spec split, generation, finalizers and graceful deletion.

import type { Namespace } from 'kubernetes-types/core/v1.js';
import { applyDefaults } from '../api/defaults/index.js';
import { strictDecodingError, unknownFields } from '../api/openapi/fieldvalidation.js';
import { decodeError, typeErrors } from '../api/openapi/typecheck.js';
import { patchSchemaFor } from '../api/patchmeta.js';
import { groupVersion, resourceKey, type ResourceInfo } from '../api/resources.js';
import { validate, validateUpdate } from '../api/validation/index.js';
import { rfc3339, type Clock } from '../machinery/clock.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  notFound,
  optimisticLock,
  StatusError,
  type FieldError,
} from '../machinery/errors.js';
import { checkFields, matchesFields, parseFieldSelector, type FieldGetter } from '../machinery/fields.js';
import { matches, parseSelector } from '../machinery/labels.js';
import { isValidPathSegmentName } from '../machinery/names.js';
import { clone, deepEqual, isPlainObject } from '../machinery/objects.js';
import { CompareFailedError, type Entry, type KObject, type Store } from '../storage/store.js';
import { logger } from '../machinery/log.js';
import { carryObjectMeta, generateName, initObjectMeta, parseResourceVersion, specOf } from './meta.js';
import type { DeleteOptions, ListOptions, PatchType, WriteOptions } from './options.js';
import { AdmissionChain, type AdmissionAttributes } from './admission.js';
import { applyPatch } from './patch.js';
import { decodeContinue, encodeContinue } from './continuetoken.js';
import { dropEmptyMeta, dropNullTemplateTimestamps } from './normalize.js';
import { strategyFor, type Strategy, type StrategyContext } from './strategy.js';

const META_FIELDS: Record<string, FieldGetter<KObject>> = {
  'metadata.name': (o) => o.metadata?.name,
  'metadata.namespace': (o) => o.metadata?.namespace ?? '',
};

export interface Filter {
  matches(obj: KObject): boolean;
}

/** A list response of any kind. */
export interface KList {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KObject[];
}

/** The store revision an object was read at. */
const revisionOf = (o: KObject): number => Number(o.metadata.resourceVersion);

const log = logger('registry');

/** Attempts of a write without a resourceVersion precondition before its conflict is the client's 409. */
const MAX_CONFLICT_RETRIES = 50;

/** A write built on an object that changed before the backend saw it; retried on the newer object unless the client named a resourceVersion. */
class StaleRead extends Error {
  constructor(readonly failed: CompareFailedError) {
    super(failed.message);
  }
}

export class Registry {
  readonly strategyContext: StrategyContext;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    private admission: AdmissionChain = new AdmissionChain(),
  ) {
    this.strategyContext = { list: (resource) => store.list(resource).entries.map((e) => e.object) };
  }

  private strategy(r: ResourceInfo): Strategy {
    return strategyFor(resourceKey(r));
  }

  private key(r: ResourceInfo, ns: string): string {
    return r.namespaced ? ns : '';
  }

  getEntry(r: ResourceInfo, ns: string, name: string): Entry {
    checkNameParameter(name);
    const e = this.store.get(resourceKey(r), this.key(r, ns), name);
    if (!e) throw notFound(r, name);
    return e;
  }

  /** The stored object; callers must not change it. */
  get(r: ResourceInfo, ns: string, name: string): KObject {
    return this.getEntry(r, ns, name).object;
  }

  filter(r: ResourceInfo, labelSelector?: string, fieldSelector?: string): Filter {
    const labels = labelSelector ? parseSelector(labelSelector) : [];
    const fields = fieldSelector ? parseFieldSelector(fieldSelector) : [];
    const getters = { ...META_FIELDS, ...(this.strategy(r).fields ?? {}) };
    checkFields(fields, getters);
    if (!labels.length && !fields.length) return { matches: () => true };
    return { matches: (o) => matches(labels, o.metadata?.labels) && matchesFields(fields, o, getters) };
  }

  list(r: ResourceInfo, ns: string | undefined, opts: ListOptions = {}): KList {
    const f = this.filter(r, opts.labelSelector, opts.fieldSelector);
    const { entries, revision } = this.store.list(resourceKey(r), r.namespaced ? ns : undefined);
    let start = 0;
    let rv = revision;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      rv = token.rv;
      start = entries.findIndex((e) => `${e.namespace}/${e.name}` > token.start);
      if (start < 0) start = entries.length;
    }
    const items: KObject[] = [];
    let next: string | undefined;
    let remaining = 0;
    for (let i = start; i < entries.length; i++) {
      const o = entries[i].object;
      if (!f.matches(o)) continue;
      // A limit of zero or below means no limit, as on the real server.
      if (opts.limit !== undefined && opts.limit > 0 && items.length >= opts.limit) {
        if (!next) next = `${entries[i - 1]?.namespace}/${entries[i - 1]?.name}`;
        remaining++;
        continue;
      }
      items.push(o);
    }
    const metadata: KList['metadata'] = { resourceVersion: String(rv) };
    if (next) {
      const last = items[items.length - 1];
      metadata.continue = encodeContinue(rv, `${last.metadata.namespace ?? ''}/${last.metadata.name}`);
      metadata.remainingItemCount = remaining;
    }
    return { kind: r.listKind, apiVersion: groupVersion(r), metadata, items };
  }

  private checkKind(r: ResourceInfo, obj: unknown): asserts obj is KObject {
    if (!isPlainObject(obj)) throw badRequest(`the object provided is unrecognized (must be of type ${r.kind})`);
    const gv = groupVersion(r);
    if (obj.kind !== undefined && obj.kind !== r.kind)
      throw badRequest(`the object provided is unrecognized (must be of type ${r.kind}): couldn't get version/kind; json parse error: kind ${JSON.stringify(obj.kind)} is not ${r.kind}`);
    if (obj.apiVersion !== undefined && obj.apiVersion !== gv)
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`);
    obj.apiVersion = gv;
    obj.kind = r.kind;
    const typeError = typeErrors(gv, r.kind, obj);
    if (typeError) throw decodeError(r.kind, r.version, typeError);
    if (obj.metadata !== undefined && !isPlainObject(obj.metadata)) throw badRequest('metadata must be an object');
    obj.metadata ??= {};
  }

  private checkFieldValidation(r: ResourceInfo, obj: KObject, opts: WriteOptions): void {
    const mode = opts.fieldValidation ?? 'Warn';
    if (mode === 'Ignore') return;
    const unknown = unknownFields(groupVersion(r), r.kind, obj);
    if (!unknown.length) return;
    if (mode === 'Strict') throw strictDecodingError(r.kind, r.version, unknown);
    for (const f of unknown) opts.warnings?.push(`unknown field "${f}"`);
  }

  private attributes(operation: AdmissionAttributes['operation'], r: ResourceInfo, ns: string, name: string, object: KObject, opts: WriteOptions, subresource = '', old?: KObject): AdmissionAttributes {
    return { operation, resource: r, subresource, namespace: r.namespaced ? ns : '', name, object, old, user: opts.user, dryRun: !!opts.dryRun, store: this.store };
  }

  private invalidOrNothing(r: ResourceInfo, name: string, errs: FieldError[]): void {
    if (errs.length) throw invalid(r.kind, r.group, name, errs);
  }

  async create(r: ResourceInfo, ns: string, body: unknown, opts: WriteOptions = {}): Promise<KObject> {
    this.checkKind(r, body);
    const obj = body;
    const meta = obj.metadata;
    if (r.namespaced) {
      if (meta.namespace && meta.namespace !== ns)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = ns;
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    this.checkFieldValidation(r, obj, opts);
    const st = this.strategy(r);
    initObjectMeta(meta, this.clock.now());
    if (st.generation) meta.generation = 1;
    applyDefaults(r.group, r.kind, obj);
    // NamespaceLifecycle's live lookup: a namespace another server just created may not be in this cache yet.
    if (r.namespaced && !this.store.get('namespaces', '', ns)) await this.store.fresh();
    const admission = this.attributes('CREATE', r, ns, meta.name ?? '', obj, opts);
    this.admission.admit(admission);
    if (!st.keepStatusOnCreate && r.subresources.some((s) => s.name === 'status')) delete obj.status;
    st.prepareForCreate?.(obj, this.strategyContext);
    dropEmptyMeta(meta);
    dropNullTemplateTimestamps(obj.spec);
    this.invalidOrNothing(r, meta.name ?? '', validate(r.group, r.kind, obj));
    this.admission.validate(admission);
    const name = meta.name!; // validate() refused an object without one
    const key = resourceKey(r);
    if (this.store.get(key, this.key(r, ns), name)) throw alreadyExists(r, name);
    const commit = async (): Promise<KObject> => {
      // Checked again after catching up: another server may have created it meanwhile.
      if (this.store.get(key, this.key(r, ns), name)) throw alreadyExists(r, name);
      this.invalidOrNothing(r, name, st.validateCreate?.(obj, this.strategyContext) ?? []);
      st.allocate?.(obj, this.strategyContext);
      if (opts.dryRun) return obj;
      try {
        return await this.write(r, ns, name, obj, 0);
      } catch (e) {
        throw e instanceof StaleRead ? alreadyExists(r, name) : e;
      }
    };
    // Allocation (cluster IPs, node ports) picks from what is stored: creates of one resource take turns,
    // each seeing the ones before it committed.
    return st.allocate ? this.oneAtATime(key, async () => (await this.store.fresh(), commit())) : commit();
  }

  private turns = new Map<string, Promise<unknown>>();

  private oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.turns.get(key) ?? Promise.resolve()).then(fn);
    const settled = run.catch(() => undefined);
    this.turns.set(key, settled);
    void settled.then(() => {
      if (this.turns.get(key) === settled) this.turns.delete(key);
    });
    return run;
  }

  /**
   * genericregistry's GuaranteedUpdate: run `attempt` on the object as this cache has it and, when the
   * backend had a newer one, wait for the cache to catch up and run it again. A request that named a
   * resourceVersion (`conditional`) gets its 409 instead.
   */
  private async guaranteed(r: ResourceInfo, name: string, conditional: () => boolean, attempt: () => Promise<KObject>): Promise<KObject> {
    // An update may allocate too (a Service changed to NodePort gets its node ports): it takes its turn with the creates.
    if (this.strategy(r).allocate) return this.oneAtATime(resourceKey(r), async () => (await this.store.fresh(), this.retrying(r, name, conditional, attempt)));
    return this.retrying(r, name, conditional, attempt);
  }

  private async retrying(r: ResourceInfo, name: string, conditional: () => boolean, attempt: () => Promise<KObject>): Promise<KObject> {
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof StaleRead)) throw e;
        if (conditional() || i >= MAX_CONFLICT_RETRIES) {
          if (i >= MAX_CONFLICT_RETRIES) log.error(`giving up on ${resourceKey(r)} ${name} after ${i} conflicting writes`);
          throw optimisticLock(r, name);
        }
        await this.store.caughtUp(e.failed.revision);
      }
    }
  }

  /**
   * Replace the object (PUT). `subresource` "status" writes only status; the main resource keeps the stored
   * status when the kind has a status subresource.
   */
  update(r: ResourceInfo, ns: string, name: string, body: unknown, opts: WriteOptions = {}, subresource?: string): Promise<KObject> {
    this.checkKind(r, body);
    const rv = body.metadata.resourceVersion;
    const conditional = rv !== undefined && parseResourceVersion(rv) !== 0;
    // An unconditional update is applied again to the newer object after a conflict, so it needs its body as sent.
    const original = conditional ? undefined : clone(body);
    let first = true;
    return this.guaranteed(r, name, () => conditional, () => {
      const attemptBody = first ? body : clone(original!);
      first = false;
      return this.tryUpdate(r, ns, name, attemptBody, opts, subresource);
    });
  }

  private async tryUpdate(r: ResourceInfo, ns: string, name: string, body: KObject, opts: WriteOptions, subresource?: string): Promise<KObject> {
    const current = this.getEntry(r, ns, name);
    const old = current.object;
    const meta = body.metadata;
    if (meta.name !== undefined && meta.name !== name)
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    if (r.namespaced && meta.namespace && meta.namespace !== ns)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (meta.resourceVersion !== undefined && parseResourceVersion(meta.resourceVersion) !== 0 && meta.resourceVersion !== old.metadata.resourceVersion)
      throw optimisticLock(r, name);
    this.checkFieldValidation(r, body, opts);
    let obj: KObject;
    if (subresource === 'status') {
      obj = clone(old);
      obj.status = body.status;
      if (this.strategy(r).statusWritesAnnotations) {
        if (body.metadata.annotations) obj.metadata.annotations = body.metadata.annotations;
        else delete obj.metadata.annotations;
      }
    } else {
      obj = body;
      carryObjectMeta(meta, old.metadata);
      if (r.subresources.some((s) => s.name === 'status')) {
        if (old.status !== undefined) obj.status = clone(old.status);
        else delete obj.status;
      }
    }
    applyDefaults(r.group, r.kind, obj);
    const admission = this.attributes('UPDATE', r, ns, name, obj, opts, subresource ?? '', old);
    this.admission.admit(admission);
    const st = this.strategy(r);
    if (subresource !== 'status') {
      st.prepareForUpdate?.(obj, old);
      st.allocate?.(obj, this.strategyContext);
    }
    dropEmptyMeta(obj.metadata);
    dropNullTemplateTimestamps(obj.spec);
    if (st.generation && !deepEqual(specOf(obj), specOf(old))) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
    this.invalidOrNothing(r, name, [...validate(r.group, r.kind, obj), ...validateUpdate(r.group, r.kind, obj, old)]);
    this.admission.validate(admission);
    return this.commitUpdate(r, ns, name, obj, old, opts);
  }

  /** Store an updated object unless nothing changed; finish a deletion when the last finalizer went. */
  private async commitUpdate(r: ResourceInfo, ns: string, name: string, obj: KObject, old: KObject, opts: WriteOptions): Promise<KObject> {
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    if (deepEqual(obj, old)) return old;
    if (opts.dryRun) return obj;
    if (obj.metadata.deletionTimestamp && !hasPendingFinalizers(r, obj) && !((obj.metadata.deletionGracePeriodSeconds ?? 0) > 0)) {
      return this.erase(r, ns, name, obj, revisionOf(old));
    }
    return this.write(r, ns, name, obj, revisionOf(old));
  }

  /**
   * The one way objects reach the store: a compare-and-swap against the revision the write was based on
   * (0: the key must be absent). A lost race is a StaleRead, which the verbs turn into a retry or a 409.
   */
  private async write(r: ResourceInfo, ns: string, name: string, obj: KObject, expectRev: number): Promise<KObject> {
    try {
      return (await this.store.put(resourceKey(r), this.key(r, ns), name, obj, expectRev)).object;
    } catch (e) {
      throw e instanceof CompareFailedError ? new StaleRead(e) : e;
    }
  }

  private async erase(r: ResourceInfo, ns: string, name: string, final: KObject, expectRev: number): Promise<KObject> {
    try {
      return (await this.store.remove(resourceKey(r), this.key(r, ns), name, final, expectRev)).object;
    } catch (e) {
      throw e instanceof CompareFailedError ? new StaleRead(e) : e;
    }
  }

  /** A write of an object the caller read and changed itself (pods/binding): a conflict is the caller's 409. */
  async writeRead(r: ResourceInfo, ns: string, name: string, obj: KObject, expectRev: number): Promise<KObject> {
    try {
      return await this.write(r, ns, name, obj, expectRev);
    } catch (e) {
      throw e instanceof StaleRead ? optimisticLock(r, name) : e;
    }
  }

  async patch(r: ResourceInfo, ns: string, name: string, type: PatchType, body: string, opts: WriteOptions = {}, subresource?: string): Promise<KObject> {
    if (type === 'apply')
      throw new StatusError(415, 'UnsupportedMediaType', 'server-side apply (application/apply-patch+yaml) is not supported by k8ts yet; use client-side apply: kubectl apply without --server-side', {});
    let conditional = false;
    return this.guaranteed(r, name, () => conditional, () => {
      const { obj, named } = this.patched(r, ns, name, type, body);
      conditional = named;
      return this.tryUpdate(r, ns, name, obj, opts, subresource);
    });
  }

  /** The current object with the patch applied, and whether the patch named a resourceVersion to apply to. */
  private patched(r: ResourceInfo, ns: string, name: string, type: PatchType, body: string): { obj: KObject; named: boolean } {
    const old = this.get(r, ns, name);
    // The patch applies to the object without its resourceVersion, so one it leaves behind was named by the patch.
    const base = clone(old);
    delete base.metadata.resourceVersion;
    const patched = applyPatch(base, type, body, patchSchemaFor(groupVersion(r), r.kind));
    if (!isPlainObject(patched)) throw badRequest('the patch produced an object that is not a JSON object');
    const meta = (patched.metadata ??= {}) as { resourceVersion?: unknown; uid?: unknown };
    // A patch that names a resourceVersion is a precondition; otherwise it applies to the current object.
    const rv = meta.resourceVersion;
    const named = rv !== undefined && rv !== null && parseResourceVersion(rv) !== 0;
    if (named && String(rv) !== old.metadata.resourceVersion) throw optimisticLock(r, name);
    if (meta.uid !== old.metadata.uid)
      throw conflict(r, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.metadata.uid}`);
    meta.resourceVersion = old.metadata.resourceVersion;
    this.checkKind(r, patched);
    return { obj: patched, named };
  }

  delete(r: ResourceInfo, ns: string, name: string, options: DeleteOptions = {}, opts: WriteOptions = {}): Promise<KObject> {
    // Preconditions are checked against each object the attempt reads, so a retry stays conditional.
    return this.guaranteed(r, name, () => false, () => this.tryDelete(r, ns, name, options, opts));
  }

  private async tryDelete(r: ResourceInfo, ns: string, name: string, options: DeleteOptions, opts: WriteOptions): Promise<KObject> {
    const entry = this.getEntry(r, ns, name);
    const old = entry.object;
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid)
      throw conflict(r, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    if (pre?.resourceVersion && parseResourceVersion(pre.resourceVersion) !== Number(old.metadata.resourceVersion))
      throw conflict(r, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    const refused = this.strategy(r).refuseDelete?.(old);
    if (refused) throw forbidden(r, name, refused);
    const obj = clone(old);
    const meta = obj.metadata;
    const policy = options.propagationPolicy ?? (options.orphanDependents === true ? 'Orphan' : undefined);
    if (policy) {
      const fins = (meta.finalizers ?? []).filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
      if (policy === 'Orphan') fins.push('orphan');
      if (policy === 'Foreground') fins.push('foregroundDeletion');
      if (fins.length) meta.finalizers = fins;
      else delete meta.finalizers;
    }
    const st = this.strategy(r);
    const now = this.clock.now();
    let grace = st.gracePeriod ? st.gracePeriod(obj, options.gracePeriodSeconds) : 0;
    if (meta.deletionTimestamp && meta.deletionGracePeriodSeconds !== undefined && grace > meta.deletionGracePeriodSeconds) {
      grace = meta.deletionGracePeriodSeconds;
    }
    if (r.plural === 'namespaces' && r.group === '') {
      obj.status = { ...((obj.status as object | undefined) ?? {}), phase: 'Terminating' };
    }
    if (grace > 0 || hasPendingFinalizers(r, obj)) {
      if (!meta.deletionTimestamp || grace < (meta.deletionGracePeriodSeconds ?? Infinity)) {
        meta.deletionTimestamp = rfc3339(now + grace * 1000);
        meta.deletionGracePeriodSeconds = grace;
      }
      if (grace === 0 && meta.deletionGracePeriodSeconds !== 0) meta.deletionGracePeriodSeconds = 0;
      if (opts.dryRun) return obj;
      if (deepEqual(obj, old)) return old;
      return this.write(r, ns, name, obj, revisionOf(old));
    }
    if (opts.dryRun) return obj;
    meta.deletionTimestamp ??= rfc3339(now);
    meta.deletionGracePeriodSeconds ??= 0;
    return this.erase(r, ns, name, obj, revisionOf(old));
  }

  async deleteCollection(r: ResourceInfo, ns: string | undefined, listOpts: ListOptions, options: DeleteOptions = {}, opts: WriteOptions = {}): Promise<KList> {
    const list = this.list(r, ns, { labelSelector: listOpts.labelSelector, fieldSelector: listOpts.fieldSelector });
    const items: KObject[] = [];
    for (const o of list.items) {
      try {
        items.push(await this.delete(r, o.metadata.namespace ?? '', o.metadata.name!, options, opts));
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    return { kind: r.listKind, apiVersion: groupVersion(r), metadata: { resourceVersion: String(this.store.revision) }, items };
  }
}

/** The storage key check of every named request (generic/registry NamespaceKeyFunc): `.` and `..` name nothing. */
function checkNameParameter(name: string): void {
  if (!name) throw badRequest('Name parameter required.');
  const msgs = isValidPathSegmentName(name);
  if (msgs.length) throw badRequest(`Name parameter invalid: ${JSON.stringify(name)}: ${msgs.join(';')}`);
}

function hasPendingFinalizers(r: ResourceInfo, obj: KObject): boolean {
  if (obj.metadata.finalizers?.length) return true;
  return r.group === '' && r.plural === 'namespaces' && ((obj as Namespace).spec?.finalizers?.length ?? 0) > 0;
}
