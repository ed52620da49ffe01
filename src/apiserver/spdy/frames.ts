// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00, as moby/spdystream reads and writes it): an 8-byte header,
// control frames `1 | version(15) | type(16) | flags(8) | length(24)`, data frames `0 | stream(31) | flags(8) |
// length(24)`. Header blocks stay compressed here; headers.ts owns the zlib contexts.

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
  FRAME_TOO_LARGE: 11,
} as const;

export const GoAwayStatus = { OK: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2 } as const;

export const SETTINGS_INITIAL_WINDOW_SIZE = 7;

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedTo: number; priority: number; flags: number; headerBlock: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: Array<{ flags: number; id: number; value: number }> }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  /** Control frame types SPDY/3 says to ignore (NOOP, CREDENTIAL, future ones). */
  | { type: 'unknown'; frameType: number };

/** A connection-level error: the session answers GOAWAY(PROTOCOL_ERROR) and ends. */
export class ProtocolError extends Error {}

const HEADER_BYTES = 8;
const STREAM_ID_MASK = 0x7fffffff;

function controlHeader(type: number, flags: number, length: number): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  b.writeUInt16BE(type, 2);
  b.writeUInt32BE(((flags & 0xff) << 24) | length, 4);
  return b;
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

export function encodeData(streamId: number, data: Buffer, fin = false): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt32BE(streamId & STREAM_ID_MASK, 0);
  h.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
  return Buffer.concat([h, data]);
}

export function encodeSynStream(streamId: number, headerBlock: Buffer, flags = 0, priority = 0): Buffer {
  const body = Buffer.concat([u32s(streamId & STREAM_ID_MASK, 0), Buffer.from([(priority & 7) << 5, 0]), headerBlock]);
  return Buffer.concat([controlHeader(FrameType.SYN_STREAM, flags, body.length), body]);
}

export function encodeSynReply(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  return Buffer.concat([controlHeader(FrameType.SYN_REPLY, fin ? FLAG_FIN : 0, 4 + headerBlock.length), u32s(streamId & STREAM_ID_MASK), headerBlock]);
}

export function encodeHeaders(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  return Buffer.concat([controlHeader(FrameType.HEADERS, fin ? FLAG_FIN : 0, 4 + headerBlock.length), u32s(streamId & STREAM_ID_MASK), headerBlock]);
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return Buffer.concat([controlHeader(FrameType.RST_STREAM, 0, 8), u32s(streamId & STREAM_ID_MASK, status)]);
}

export function encodeSettings(entries: Array<{ id: number; value: number; flags?: number }>, flags = 0): Buffer {
  const body = Buffer.alloc(4 + 8 * entries.length);
  body.writeUInt32BE(entries.length, 0);
  entries.forEach((e, i) => {
    body.writeUInt32BE((((e.flags ?? 0) & 0xff) << 24) | (e.id & 0xffffff), 4 + 8 * i);
    body.writeUInt32BE(e.value >>> 0, 8 + 8 * i);
  });
  return Buffer.concat([controlHeader(FrameType.SETTINGS, flags, body.length), body]);
}

export function encodePing(id: number): Buffer {
  return Buffer.concat([controlHeader(FrameType.PING, 0, 4), u32s(id)]);
}

export function encodeGoAway(lastGoodStreamId: number, status: number): Buffer {
  return Buffer.concat([controlHeader(FrameType.GOAWAY, 0, 8), u32s(lastGoodStreamId & STREAM_ID_MASK, status)]);
}

export function encodeWindowUpdate(streamId: number, delta: number): Buffer {
  return Buffer.concat([controlHeader(FrameType.WINDOW_UPDATE, 0, 8), u32s(streamId & STREAM_ID_MASK, delta & STREAM_ID_MASK)]);
}

function streamId(body: Buffer, offset = 0): number {
  return body.readUInt32BE(offset) & STREAM_ID_MASK;
}

function expectLength(what: string, length: number, ok: boolean): void {
  if (!ok) throw new ProtocolError(`invalid ${what} frame: length ${length}`);
}

function withStream<T extends Frame & { streamId: number }>(what: string, f: T): T {
  if (f.streamId === 0) throw new ProtocolError(`invalid ${what} frame: stream id zero is disallowed`);
  return f;
}

function decodeControl(type: number, flags: number, body: Buffer): Frame {
  const n = body.length;
  switch (type) {
    case FrameType.SYN_STREAM:
      expectLength('SYN_STREAM', n, n >= 10);
      return withStream('SYN_STREAM', { type: 'syn_stream', streamId: streamId(body), associatedTo: streamId(body, 4), priority: body[8] >> 5, flags, headerBlock: body.subarray(10) });
    case FrameType.SYN_REPLY:
      expectLength('SYN_REPLY', n, n >= 4);
      return withStream('SYN_REPLY', { type: 'syn_reply', streamId: streamId(body), flags, headerBlock: body.subarray(4) });
    case FrameType.HEADERS:
      expectLength('HEADERS', n, n >= 4);
      return withStream('HEADERS', { type: 'headers', streamId: streamId(body), flags, headerBlock: body.subarray(4) });
    case FrameType.RST_STREAM:
      expectLength('RST_STREAM', n, n === 8);
      return withStream('RST_STREAM', { type: 'rst_stream', streamId: streamId(body), status: body.readUInt32BE(4) });
    case FrameType.SETTINGS: {
      expectLength('SETTINGS', n, n >= 4);
      const count = body.readUInt32BE(0);
      expectLength('SETTINGS', n, n === 4 + 8 * count);
      const entries = [];
      for (let i = 0; i < count; i++) {
        const idAndFlags = body.readUInt32BE(4 + 8 * i);
        entries.push({ flags: idAndFlags >>> 24, id: idAndFlags & 0xffffff, value: body.readUInt32BE(8 + 8 * i) });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.PING:
      expectLength('PING', n, n === 4);
      return { type: 'ping', id: body.readUInt32BE(0) };
    case FrameType.GOAWAY:
      expectLength('GOAWAY', n, n === 8);
      return { type: 'goaway', lastGoodStreamId: streamId(body), status: body.readUInt32BE(4) };
    case FrameType.WINDOW_UPDATE:
      expectLength('WINDOW_UPDATE', n, n === 8);
      return { type: 'window_update', streamId: streamId(body), delta: body.readUInt32BE(4) & STREAM_ID_MASK };
    default:
      return { type: 'unknown', frameType: type };
  }
}

/** Splits a byte stream into frames; a frame announcing more than `maxFrameBytes` is a protocol error. */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private maxFrameBytes: number) {}

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buf.length >= HEADER_BYTES) {
      const length = this.buf.readUInt32BE(4) & 0xffffff;
      if (length > this.maxFrameBytes) throw new ProtocolError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
      const control = (this.buf[0] & 0x80) !== 0;
      if (control && (this.buf.readUInt16BE(0) & 0x7fff) !== SPDY_VERSION) throw new ProtocolError(`unsupported SPDY version ${this.buf.readUInt16BE(0) & 0x7fff}`);
      if (this.buf.length < HEADER_BYTES + length) break;
      const flags = this.buf[4];
      const body = Buffer.from(this.buf.subarray(HEADER_BYTES, HEADER_BYTES + length));
      if (control) frames.push(decodeControl(this.buf.readUInt16BE(2), flags, body));
      else frames.push(withStream('DATA', { type: 'data', streamId: streamId(this.buf), flags, data: body }));
      this.buf = this.buf.subarray(HEADER_BYTES + length);
    }
    return frames;
  }
}
