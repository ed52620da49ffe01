// Resource request handlers: one function per verb, mapping HTTP onto the registry.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { resourceKey, type ResourceInfo } from '../api/resources.js';
import { badRequest, methodNotAllowed, StatusError, timeout, unsupportedMediaType } from '../machinery/errors.js';
import { parseResourceVersion } from '../registry/meta.js';
import type { DeleteOptions, FieldValidation, WriteOptions } from '../registry/options.js';
import { PATCH_CONTENT_TYPES } from '../registry/options.js';
import type { Registry } from '../registry/rest.js';
import { watch } from '../registry/watch.js';
import { boolParam, intParam } from './queryparams.js';
import { checkDeleteOptionsBody, finishDeleteOptions } from './deleteoptions.js';
import { decodeObject, mediaType, readBody, readBodyBuffer, sendJSON, wantsTable } from './negotiation.js';
import { servePortForward, type PortForwarder } from './portforward.js';
import { serveRemoteCommand, type RemoteCommand } from './remotecommand.js';
import type { UserInfo } from './authentication/user.js';
import type { ResourceRequest } from './request.js';
import type { RestRequest, RestStorage } from './reststorage.js';
import { TABLE_CONTENT_TYPE, toTable } from './table.js';
import { WatchStream } from './watchstream.js';

/** Streaming pod subresources (log, exec, attach, portforward) are served by the node side, wired in by the server. */
export interface PodStreams {
  log(ns: string, name: string, query: URLSearchParams, res: ServerResponse): Promise<void>;
  /**
   * Checks an exec or attach request against the pod (a StatusError is answered over HTTP, before any
   * upgrade) and returns what opens the session once the connection is upgraded.
   */
  connect(kind: 'exec' | 'attach', ns: string, name: string, query: URLSearchParams): Promise<RemoteCommand>;
  /** Checks a port-forward request against the pod (before the upgrade) and returns what dials its ports. */
  portForward(ns: string, name: string): Promise<PortForwarder>;
}

export interface HandlerContext {
  registry: Registry;
  storage: RestStorage;
  podStreams?: PodStreams;
}

/** Writes resolve once durable and in the watch cache, so nothing a client has seen can be lost. */
async function reply(res: ServerResponse, code: number, body: unknown, contentType?: string, warnings?: string[]): Promise<void> {
  sendJSON(res, code, await body, contentType, warnings);
}

function writeOptions(q: URLSearchParams, user: UserInfo): WriteOptions {
  const fv = q.get('fieldValidation');
  const opts: WriteOptions = { warnings: [], user };
  if (q.getAll('dryRun').includes('All')) opts.dryRun = true;
  else if (q.get('dryRun')) throw badRequest(`dryRun: Unsupported value: "${q.get('dryRun')}": supported values: "All"`);
  if (fv) {
    const canonical = ({ strict: 'Strict', warn: 'Warn', ignore: 'Ignore' } as Record<string, FieldValidation>)[fv.toLowerCase()];
    if (!canonical) throw badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
    opts.fieldValidation = canonical;
  }
  const fm = q.get('fieldManager');
  if (fm) opts.fieldManager = fm;
  return opts;
}

function notAllowed(method: string, req: ResourceRequest): StatusError {
  return methodNotAllowed(method, req.resource.kind);
}

export async function handleResource(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, query: URLSearchParams, user: UserInfo): Promise<void> {
  const { registry } = ctx;
  const r = rr.resource;
  const method = req.method ?? 'GET';
  const ns = rr.namespace;
  const now = registry.clock.now();
  const table = wantsTable(req, query);

  if (rr.name === undefined) {
    if (method === 'GET') {
      const listNs = rr.allNamespaces ? undefined : ns;
      if (boolParam(query, 'watch')) return startWatch(ctx, res, r, listNs, query, table);
      await registry.store.fresh();
      const list = registry.list(r, listNs, {
        labelSelector: query.get('labelSelector') ?? undefined,
        fieldSelector: query.get('fieldSelector') ?? undefined,
        limit: intParam(query, 'limit'),
        continue: query.get('continue') ?? undefined,
      });
      if (table) return reply(res, 200, toTable(r, list.items, list.metadata, table, now), TABLE_CONTENT_TYPE);
      return reply(res, 200, list);
    }
    if (method === 'POST') {
      if (rr.allNamespaces && r.namespaced) throw notAllowed(method, rr);
      const opts = writeOptions(query, user);
      const body = decodeObject(mediaType(req), await readBodyBuffer(req));
      const createOnly = ctx.storage.createOnly(r);
      if (createOnly) return reply(res, 201, createOnly({ user, namespace: ns, name: '', opts }, body), 'application/json', opts.warnings);
      const created = registry.create(r, ns, body, opts);
      return reply(res, 201, created, 'application/json', opts.warnings);
    }
    if (method === 'DELETE') {
      if (!r.verbs.includes('deletecollection')) throw notAllowed(method, rr);
      const opts = writeOptions(query, user);
      const del = await deleteOptions(req, query, now);
      const out = registry.deleteCollection(r, rr.allNamespaces ? undefined : ns, { labelSelector: query.get('labelSelector') ?? undefined, fieldSelector: query.get('fieldSelector') ?? undefined }, del, opts);
      return reply(res, 200, out);
    }
    throw notAllowed(method, rr);
  }

  const name = rr.name;
  if (rr.subresource) return handleSubresource(ctx, req, res, rr, name, query, user);

  switch (method) {
    case 'GET': {
      await registry.store.fresh();
      const obj = registry.get(r, ns, name);
      if (table) return reply(res, 200, toTable(r, [obj], { resourceVersion: obj.metadata.resourceVersion }, table, now), TABLE_CONTENT_TYPE);
      return reply(res, 200, obj);
    }
    case 'PUT': {
      const opts = writeOptions(query, user);
      const body = decodeObject(mediaType(req), await readBodyBuffer(req));
      return reply(res, 200, registry.update(r, ns, name, body, opts), 'application/json', opts.warnings);
    }
    case 'PATCH': {
      const opts = writeOptions(query, user);
      const type = PATCH_CONTENT_TYPES[mediaType(req)];
      if (!type) throw unsupportedMediaType(Object.keys(PATCH_CONTENT_TYPES));
      const body = await readBody(req);
      return reply(res, 200, registry.patch(r, ns, name, type, body, opts), 'application/json', opts.warnings);
    }
    case 'DELETE': {
      const opts = writeOptions(query, user);
      const del = await deleteOptions(req, query, now);
      const out = await registry.delete(r, ns, name, del, opts);
      const stillThere = !opts.dryRun && registry.store.get(resourceKey(r), r.namespaced ? ns : '', name) !== undefined;
      return reply(res, stillThere ? 202 : 200, out);
    }
    default:
      throw notAllowed(method, rr);
  }
}

async function deleteOptions(req: IncomingMessage, query: URLSearchParams, now: number): Promise<DeleteOptions> {
  const raw = await readBodyBuffer(req);
  const body = raw.toString('latin1').trim() ? checkDeleteOptionsBody(decodeObject(mediaType(req), raw)) : {};
  return finishDeleteOptions(body, { gracePeriodSeconds: intParam(query, 'gracePeriodSeconds'), propagationPolicy: query.get('propagationPolicy') ?? undefined }, now);
}

async function startWatch(ctx: HandlerContext, res: ServerResponse, r: ResourceInfo, ns: string | undefined, query: URLSearchParams, table: ReturnType<typeof wantsTable>): Promise<void> {
  const { registry } = ctx;
  const opts = {
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector: query.get('fieldSelector') ?? undefined,
    resourceVersion: query.get('resourceVersion') ?? undefined,
  };
  const bookmarks = boolParam(query, 'allowWatchBookmarks');
  const timeoutSeconds = intParam(query, 'timeoutSeconds');
  // Selectors and the revision are checked before the stream starts so that bad input gets a plain 4xx.
  registry.filter(r, opts.labelSelector, opts.fieldSelector);
  await waitForRevision(registry, parseResourceVersion(opts.resourceVersion ?? ''));
  const stream = new WatchStream(res, { resource: r, table, bookmarks, timeoutSeconds, clock: registry.clock, revision: () => registry.store.revision });
  try {
    stream.begin((sink) => watch(registry, r, ns, opts, sink));
  } catch (e) {
    if (e instanceof StatusError) return stream.fail(e);
    throw e;
  }
}

/** How long a watch from a future revision waits for the store to get there (the cacher's 3 s). */
const FRESHNESS_WAIT_MS = 3000;
const FRESHNESS_POLL_MS = 20;

async function waitForRevision(registry: Registry, rv: number): Promise<void> {
  const deadline = registry.clock.now() + FRESHNESS_WAIT_MS;
  while (rv > registry.store.revision) {
    if (registry.clock.now() >= deadline)
      throw timeout(`Too large resource version: ${rv}, current: ${registry.store.revision}`, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], 1);
    await registry.clock.sleep(FRESHNESS_POLL_MS);
  }
}

async function handleSubresource(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, name: string, query: URLSearchParams, user: UserInfo): Promise<void> {
  const { registry } = ctx;
  const r = rr.resource;
  const ns = rr.namespace;
  const method = req.method ?? 'GET';
  const sub = rr.subresource!;
  if (sub === 'log' && method === 'GET') {
    registry.get(r, ns, name);
    if (!ctx.podStreams) throw badRequest(`pod ${name} has no node agent to read logs from`);
    return ctx.podStreams.log(ns, name, query, res);
  }
  if ((sub === 'exec' || sub === 'attach') && (method === 'GET' || method === 'POST')) {
    if (!ctx.podStreams) {
      registry.get(r, ns, name);
      throw badRequest(`pod ${name} has no node agent to ${sub} to`);
    }
    return serveRemoteCommand(req, res, await ctx.podStreams.connect(sub, ns, name, query));
  }
  if (sub === 'portforward' && (method === 'GET' || method === 'POST')) {
    if (!ctx.podStreams) {
      registry.get(r, ns, name);
      throw badRequest(`pod ${name} has no node agent to forward ports to`);
    }
    return servePortForward(req, res, await ctx.podStreams.portForward(ns, name));
  }
  const storage = ctx.storage.subresource(r, sub);
  const unsupported = () => new StatusError(405, 'MethodNotAllowed', `${method} is not supported on ${r.plural}/${sub} by k8ts`, {});
  if (!storage) throw unsupported();
  const rest = (): RestRequest => ({ user, namespace: ns, name, opts: writeOptions(query, user) });
  if (method === 'GET' && storage.get) return reply(res, 200, storage.get(rest()));
  if (method === 'POST' && storage.create) {
    const q = rest();
    return reply(res, 201, storage.create(q, decodeObject(mediaType(req), await readBodyBuffer(req))), 'application/json', q.opts.warnings);
  }
  if (method === 'PUT' && storage.update) {
    const q = rest();
    return reply(res, 200, storage.update(q, decodeObject(mediaType(req), await readBodyBuffer(req))), 'application/json', q.opts.warnings);
  }
  if (method === 'PATCH' && storage.patch) {
    const q = rest();
    const type = PATCH_CONTENT_TYPES[mediaType(req)];
    if (!type) throw unsupportedMediaType(Object.keys(PATCH_CONTENT_TYPES));
    return reply(res, 200, storage.patch(q, type, await readBody(req)), 'application/json', q.opts.warnings);
  }
  throw unsupported();
}
