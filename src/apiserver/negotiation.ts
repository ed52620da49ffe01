// Request bodies and response encodings: JSON, YAML or Kubernetes protobuf in, JSON (objects or Tables) out.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { badRequest, requestEntityTooLarge, StatusError, unsupportedMediaType, type Status } from '../machinery/errors.js';
import { jsonDepth, MAX_NESTING_DEPTH, valueDepthExceeds, yamlDepthBound } from '../machinery/depth.js';
import { decodeProtobufObject } from './protobuf/decode.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

// The YAML parser is loaded on the first YAML body only: it is a large module and most clients send JSON.
let yamlParse: ((text: string) => unknown) | undefined;
function parseYaml(text: string): unknown {
  yamlParse ??= (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse;
  return yamlParse(text);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBuffer(req)).toString('utf8');
}

export async function readBodyBuffer(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw requestEntityTooLarge('the request body is too large: limit is 3145728 bytes');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) throw requestEntityTooLarge('the request body is too large: limit is 3145728 bytes');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Decode a create/update body (JSON, YAML or protobuf, as the real server accepts). No Content-Type means JSON. */
export function decodeObject(type: string, raw: string | Buffer): unknown {
  if (type === PROTOBUF) {
    if (typeof raw === 'string') throw new Error('a protobuf body must be read with readBodyBuffer');
    const value = decodeProtobufObject(raw);
    if (valueDepthExceeds(value, MAX_NESTING_DEPTH)) throw badRequest('the object provided is unrecognized: exceeded max depth');
    return value;
  }
  const body = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (type === '' || type === 'application/json' || type === '*/*') {
    if (jsonDepth(body) > MAX_NESTING_DEPTH) throw badRequest('the object provided is unrecognized: exceeded max depth');
    try {
      return JSON.parse(body);
    } catch (e) {
      throw badRequest(`the object provided is unrecognized: ${(e as Error).message}`);
    }
  }
  if (type === 'application/yaml' || type === 'application/x-yaml') {
    if (yamlDepthBound(body) > MAX_NESTING_DEPTH) throw badRequest(`the object provided is unrecognized: yaml: exceeded max depth of ${MAX_NESTING_DEPTH}`);
    try {
      const value = parseYaml(body);
      if (valueDepthExceeds(value, MAX_NESTING_DEPTH)) throw new Error(`yaml: exceeded max depth of ${MAX_NESTING_DEPTH}`);
      return value;
    } catch (e) {
      throw badRequest(`the object provided is unrecognized: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw unsupportedMediaType(['application/json', 'application/yaml', PROTOBUF]);
}

export interface TableRequest {
  includeObject: 'None' | 'Metadata' | 'Object';
}

export function wantsTable(req: IncomingMessage, query: URLSearchParams): TableRequest | undefined {
  const accept = req.headers.accept ?? '';
  const first = accept.split(',')[0];
  if (!/as=Table/.test(first) || !/g=meta\.k8s\.io/.test(first)) return undefined;
  const inc = query.get('includeObject');
  return { includeObject: inc === 'None' || inc === 'Object' ? inc : 'Metadata' };
}

const prettyResponses = new WeakSet<ServerResponse>();

/** `?pretty=true`: the response is indented, as the real server's serializer does for it. */
export function answerPretty(res: ServerResponse): void {
  prettyResponses.add(res);
}

export function sendJSON(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', warnings?: string[]): void {
  const text = typeof body === 'string' ? body : prettyResponses.has(res) ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body);
  const headers: Record<string, string | string[]> = { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(text)) };
  if (warnings?.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function sendStatus(res: ServerResponse, err: StatusError): void {
  const status: Status = err.toStatus();
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (err.details?.retryAfterSeconds) headers['Retry-After'] = String(err.details.retryAfterSeconds);
  // Go's json.Encoder ends every document with a newline.
  const text = JSON.stringify(status, null, prettyResponses.has(res) ? 2 : undefined) + '\n';
  headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(err.code, headers);
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}
