// GET /openapi/v2: the Swagger document, as gnostic protobuf when the client asks for it (client-go does),
// else JSON; both are built once and carry an ETag so clients can revalidate their cache.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { swaggerDocument } from '../api/openapi/v2.js';
import { encodeSwagger } from './protobuf/gnostic.js';

// Clients ask with `spec.v2@v1.0+protobuf`, a form Go's mime parser rejects; the server answers with the
// parseable `spec.v2.v1.0+protobuf`, as kube-openapi does.
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

interface Encoded {
  body: Buffer;
  etag: string;
}

const encoded = new Map<string, Encoded>();

function encode(contentType: string): Encoded {
  let e = encoded.get(contentType);
  if (!e) {
    const doc = swaggerDocument();
    const body = contentType === OPENAPI_V2_PROTOBUF ? encodeSwagger(doc) : Buffer.from(JSON.stringify(doc));
    e = { body, etag: `"${createHash('sha512').update(body).digest('hex').toUpperCase()}"` };
    encoded.set(contentType, e);
  }
  return e;
}

export function serveOpenAPIv2(req: IncomingMessage, res: ServerResponse): void {
  const contentType = (req.headers.accept ?? '').includes('application/com.github.proto-openapi.spec.v2') ? OPENAPI_V2_PROTOBUF : 'application/json';
  const { body, etag } = encode(contentType);
  res.setHeader('Etag', etag);
  res.setHeader('Vary', 'Accept');
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304);
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(body.length) });
  res.end(body);
}
