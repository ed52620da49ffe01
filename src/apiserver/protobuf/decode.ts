// Request bodies in application/vnd.kubernetes.protobuf: the magic prefix "k8s\0", then a runtime.Unknown
// envelope {typeMeta: {apiVersion, kind}, raw, contentEncoding, contentType} whose raw bytes are the object
// encoded per its group-version's generated.proto. Decoded into the JSON form of the same object.

import { badRequest, StatusError } from '../../machinery/errors.js';
import { decodeMessage } from './message.js';
import { messageForKind } from './schema.js';
import { LEN, WireError, WireReader } from './wire.js';

const MAGIC = Buffer.from('k8s\0', 'latin1');

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
}

function readEnvelope(buf: Buffer): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', raw: Buffer.alloc(0) };
  const r = new WireReader(buf);
  while (!r.done()) {
    const [no, wire] = r.key();
    if (no === 1 && wire === LEN) {
      const [start, end] = r.span();
      const meta = new WireReader(buf, start, end);
      while (!meta.done()) {
        const [field, w] = meta.key();
        if (field === 1 && w === LEN) env.apiVersion = meta.string();
        else if (field === 2 && w === LEN) env.kind = meta.string();
        else meta.skip(w);
      }
    } else if (no === 2 && wire === LEN) env.raw = r.bytes();
    else r.skip(wire); // contentEncoding and contentType are not used by the decoder, as upstream
  }
  return env;
}

/** Decodes a protobuf request body into `{apiVersion, kind, ...fields}`; malformed input is a 400 BadRequest. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC))
    throw badRequest('the object provided is unrecognized: provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  if (body.length === MAGIC.length) throw badRequest('the object provided is unrecognized: empty body');
  let env: Envelope;
  try {
    env = readEnvelope(body.subarray(MAGIC.length));
  } catch (e) {
    throw badRequest(`the object provided is unrecognized: ${reason(e)}`);
  }
  const { apiVersion, kind } = env;
  if (!kind) throw badRequest("Object 'Kind' is missing in the protobuf body");
  if (!apiVersion) throw badRequest("Object 'apiVersion' is missing in the protobuf body");
  const type = messageForKind(apiVersion, kind);
  if (!type) throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}"`);
  try {
    return { apiVersion, kind, ...decodeMessage(type, env.raw) };
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw badRequest(`${kind} in version "${apiVersion.split('/').pop()}" cannot be handled as a ${kind}: ${reason(e)}`);
  }
}

function reason(e: unknown): string {
  if (e instanceof WireError || e instanceof RangeError) return e.message;
  throw e;
}
