// The HTTPS listener and the request chain: authentication → impersonation → authorization, then the
// non-resource endpoints, discovery, OpenAPI, and resource routing.

import { createServer as createHttpsServer, type Server } from 'node:https';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { openapiDocument, openapiIndex } from '../api/openapi/documents.js';
import { internalError, resourceNotFound, StatusError } from '../machinery/errors.js';
import { logger, verbosityAtLeast } from '../machinery/log.js';
import { impersonate } from './authentication/impersonation.js';
import { authenticateToken, bearerToken, type TokenAuthenticator } from './authentication/token.js';
import type { Attributes, Authorizer } from './authorization/attributes.js';
import { forbiddenError } from './authorization/forbidden.js';
import { aggregatedDiscovery, aggregatedVersion, AGGREGATED_V2, AGGREGATED_V2BETA1, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { handleResource, type HandlerContext } from './handlers.js';
import { answerPretty, sendJSON, sendStatus, sendText } from './negotiation.js';
import { boolParam } from './queryparams.js';
import { serveOpenAPIv2 } from './openapiv2.js';
import { answerPlainHttp } from './plainhttp.js';
import { rememberUpgrade } from './remotecommand.js';
import { parseApiPath, parseRequestTarget, resolveResource } from './request.js';
import { requestAttributes } from './requestinfo.js';

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-k8ts',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-22T00:00:00Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export interface ApiServerOptions {
  tls: { cert: string; key: string };
  authenticators: TokenAuthenticator[];
  authorizer: Authorizer;
  handlers: HandlerContext;
  /** Further non-resource paths (the service-account issuer's discovery documents). */
  paths?: Record<string, (req: IncomingMessage, res: ServerResponse) => void>;
}

export function createApiServer(opts: ApiServerOptions): Server {
  const server = createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, (req, res) => {
    if (verbosityAtLeast(3)) {
      const started = performance.now();
      res.once('finish', () => {
        log.v(3).info('HTTP', { verb: req.method, URI: req.url, latency: `${(performance.now() - started).toFixed(3)}ms`, userAgent: req.headers['user-agent'] ?? '', resp: res.statusCode });
      });
    }
    serve(opts, req, res).catch((e) => {
      req.resume();
      fail(res, e);
    });
  });
  server.keepAliveTimeout = 65_000;
  answerPlainHttp(server);
  serveUpgrades(server, opts);
  return server;
}

/**
 * Upgrade requests (exec, attach) go through the same chain as any request, on a response bound to the raw
 * connection: refusals are ordinary Status responses, and the exec handler takes the connection over.
 */
function serveUpgrades(server: Server, opts: ApiServerOptions): void {
  const upgraded = new Set<Duplex>();
  const closeAll = server.closeAllConnections.bind(server);
  // Node stops tracking a connection once it is upgraded, so closing every connection must include these.
  server.closeAllConnections = () => {
    closeAll();
    for (const s of upgraded) s.destroy();
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => {
      if (res.socket !== socket) return;
      res.detachSocket(socket as Socket);
      socket.end();
    });
    if (verbosityAtLeast(3)) log.v(3).info('HTTP upgrade', { verb: req.method, URI: req.url, upgrade: req.headers.upgrade ?? '', userAgent: req.headers['user-agent'] ?? '' });
    rememberUpgrade(req, socket, head);
    serve(opts, req, res).catch((e) => fail(res, e));
  });
}

/** Connect subresources whose WebSocket upgrade (a GET) is authorized as `create`, the verb of SPDY's POST. */
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

function authorizationAttributes(attrs: Attributes): Attributes {
  const upgrade = attrs.resourceRequest && attrs.apiGroup === '' && attrs.resource === 'pods' && CONNECT_SUBRESOURCES.has(attrs.subresource) && attrs.verb === 'get';
  return upgrade ? { ...attrs, verb: 'create' } : attrs;
}

const log = logger('apiserver');

function fail(res: ServerResponse, e: unknown): void {
  const err = e instanceof StatusError ? e : internalError((e as Error)?.message ?? String(e));
  if (!(e instanceof StatusError)) log.error('Unhandled error serving a request', { err: (e as Error)?.stack ?? String(e) });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendStatus(res, err);
}

async function serve(opts: ApiServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { segments, path, query } = parseRequestTarget(req.url ?? '/');
  if (boolParam(query, 'pretty')) answerPretty(res);
  const requester = authenticateToken(bearerToken(req.headers), opts.authenticators);
  const user = impersonate(requester, req.headers, opts.authorizer);
  const attrs = authorizationAttributes(requestAttributes(user, req.method ?? 'GET', segments, path, query));
  const decision = opts.authorizer.authorize(attrs);
  if (decision.decision !== 'allow') throw forbiddenError(attrs, decision.reason);
  if (path === '/version') return sendJSON(res, 200, VERSION_INFO);
  if (path === '/healthz' || path === '/livez' || path === '/readyz') return sendText(res, 200, 'ok');
  const extra = opts.paths?.[path];
  if (extra) return extra(req, res);
  const accept = req.headers.accept ?? '';
  if (path === '/api' || path === '/apis') {
    const agg = aggregatedVersion(accept);
    if (agg) return sendJSON(res, 200, aggregatedDiscovery(path === '/api', agg), agg === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1);
    const host = req.headers.host ?? '127.0.0.1';
    return sendJSON(res, 200, path === '/api' ? apiVersions(host) : apiGroupList());
  }
  if (path === '/openapi/v2') return serveOpenAPIv2(req, res);
  if (path === '/openapi/v3') return sendJSON(res, 200, openapiIndex());
  if (path.startsWith('/openapi/v3/')) {
    const doc = openapiDocument(path.slice('/openapi/v3/'.length));
    if (!doc) throw resourceNotFound();
    res.setHeader('Cache-Control', 'public, immutable');
    res.setHeader('Etag', `"${doc.hash}"`);
    return sendJSON(res, 200, doc.body);
  }
  const parsed = parseApiPath(segments);
  if (!parsed) throw resourceNotFound();
  if (parsed.rest.length === 0) {
    const list = apiResourceList(parsed.group, parsed.version);
    if (!list) throw resourceNotFound();
    return sendJSON(res, 200, list);
  }
  return handleResource(opts.handlers, req, res, resolveResource(parsed), query, user);
}
