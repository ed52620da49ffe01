// The HTTPS listener: authentication, non-resource endpoints, discovery, OpenAPI, and resource routing.

import { createServer as createHttpsServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { openapiDocument, openapiIndex } from '../api/openapi/documents.js';
import { internalError, resourceNotFound, StatusError, unauthorized } from '../machinery/errors.js';
import { aggregatedDiscovery, aggregatedVersion, AGGREGATED_V2, AGGREGATED_V2BETA1, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { handleResource, type HandlerContext } from './handlers.js';
import { answerPretty, sendJSON, sendStatus, sendText } from './negotiation.js';
import { boolParam } from './queryparams.js';
import { serveOpenAPIv2 } from './openapiv2.js';
import { answerPlainHttp } from './plainhttp.js';
import { parseApiPath, parseRequestTarget, resolveResource } from './request.js';

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
  tokens: string[];
  handlers: HandlerContext;
}

const OPEN_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

export function createApiServer(opts: ApiServerOptions): Server {
  const tokens = opts.tokens.map((t) => Buffer.from(t));
  const authenticated = (req: IncomingMessage): boolean => {
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Bearer ')) return false;
    const got = Buffer.from(h.slice(7).trim());
    return tokens.some((t) => t.length === got.length && timingSafeEqual(t, got));
  };
  const server = createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, (req, res) => {
    serve(opts, authenticated, req, res).catch((e) => fail(res, e));
  });
  server.keepAliveTimeout = 65_000;
  answerPlainHttp(server);
  return server;
}

function fail(res: ServerResponse, e: unknown): void {
  const err = e instanceof StatusError ? e : internalError((e as Error)?.message ?? String(e));
  if (!(e instanceof StatusError) && process.env.K8TS_DEBUG) console.error(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendStatus(res, err);
}

async function serve(opts: ApiServerOptions, authenticated: (req: IncomingMessage) => boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { segments, path, query } = parseRequestTarget(req.url ?? '/');
  if (boolParam(query, 'pretty')) answerPretty(res);
  if (path === '/version') return sendJSON(res, 200, VERSION_INFO);
  if (path === '/healthz' || path === '/livez' || path === '/readyz') return sendText(res, 200, 'ok');
  if (!OPEN_PATHS.has(path) && !authenticated(req)) {
    req.resume();
    return sendStatus(res, unauthorized());
  }
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
  return handleResource(opts.handlers, req, res, resolveResource(parsed), query);
}
