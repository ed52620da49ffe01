// SPDY/3 name/value header blocks: `count(32)` then `len(32) name len(32) value` pairs, several values of one
// name joined by NUL, names lowercase. Each direction of a session compresses all its blocks with ONE zlib
// context primed with the SPDY/3 dictionary, every block ending in a sync flush, so blocks must be
// (de)compressed in frame order.

import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { ProtocolError } from './frames.js';

/** Lowercase names to their values (Go's http.Header, read back with canonical keys by the peer). */
export type HeaderMap = Record<string, string[]>;

export function encodeHeaderBlock(headers: HeaderMap): Buffer {
  const entries = Object.entries(headers).filter(([, values]) => values.length > 0);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Rejects what spdystream's framer rejects: short blocks, uppercase names, a name given twice. */
export function decodeHeaderBlock(block: Buffer): HeaderMap {
  let at = 0;
  const take = (n: number, what: string): Buffer => {
    if (at + n > block.length) throw new ProtocolError(`truncated header block: ${what}`);
    const b = block.subarray(at, at + n);
    at += n;
    return b;
  };
  const count = take(4, 'pair count').readUInt32BE(0);
  const headers: HeaderMap = {};
  for (let i = 0; i < count; i++) {
    const name = take(take(4, 'name length').readUInt32BE(0), 'name').toString('utf8');
    const value = take(take(4, 'value length').readUInt32BE(0), 'value').toString('utf8');
    if (name === '') throw new ProtocolError('empty header name');
    if (name !== name.toLowerCase()) throw new ProtocolError(`header was not lowercased: ${JSON.stringify(name)}`);
    if (Object.hasOwn(headers, name)) throw new ProtocolError(`multiple headers with same name: ${JSON.stringify(name)}`);
    headers[name] = value.split('\0');
  }
  if (at !== block.length) throw new ProtocolError('trailing bytes after the header block');
  return headers;
}

/** The first value of a header, as http.Header.Get reads it. */
export function headerValue(headers: HeaderMap, name: string): string {
  return headers[name.toLowerCase()]?.[0] ?? '';
}

/** Header blocks decompress to at most this much: a small compressed block must not balloon into memory. */
export const MAX_HEADER_BLOCK_BYTES = 256 * 1024;

/** One zlib context, fed one block at a time in order; a failed block poisons it (the session must end). */
class ZlibContext {
  private queue: Promise<unknown> = Promise.resolve();
  private failed?: Error;

  constructor(
    private z: zlib.Inflate | zlib.Deflate,
    private limit: number,
  ) {
    z.on('error', (e: Error) => (this.failed ??= e));
  }

  run(input: Buffer): Promise<Buffer> {
    const done = this.queue.then(() => this.once(input));
    this.queue = done.catch(() => {});
    return done;
  }

  private once(input: Buffer): Promise<Buffer> {
    if (this.failed) return Promise.reject(new ProtocolError(`header compression failed: ${this.failed.message}`));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const cleanup = () => {
        this.z.off('data', onData);
        this.z.off('error', onError);
      };
      const onData = (c: Buffer) => {
        size += c.length;
        if (size > this.limit) {
          this.failed = new Error(`header block larger than ${this.limit} bytes`);
          cleanup();
          this.z.destroy();
          reject(new ProtocolError(this.failed.message));
          return;
        }
        chunks.push(c);
      };
      const onError = (e: Error) => {
        cleanup();
        reject(new ProtocolError(`invalid compressed header block: ${e.message}`));
      };
      this.z.on('data', onData);
      this.z.once('error', onError);
      this.z.write(input);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        if (this.failed) return;
        cleanup();
        resolve(Buffer.concat(chunks));
      });
    });
  }

  close(): void {
    this.z.destroy();
  }
}

/** Compresses the header blocks one side of a session sends. */
export class HeaderCompressor {
  private ctx = new ZlibContext(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY }), Number.MAX_SAFE_INTEGER);

  compress(headers: HeaderMap): Promise<Buffer> {
    return this.ctx.run(encodeHeaderBlock(headers));
  }

  close(): void {
    this.ctx.close();
  }
}

/** Decompresses the header blocks one side of a session receives. */
export class HeaderDecompressor {
  private ctx = new ZlibContext(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }), MAX_HEADER_BLOCK_BYTES);

  async decompress(block: Buffer): Promise<HeaderMap> {
    return decodeHeaderBlock(await this.ctx.run(block));
  }

  close(): void {
    this.ctx.close();
  }
}
