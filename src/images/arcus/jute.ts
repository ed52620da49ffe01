// Jute, ZooKeeper's wire serialization: big-endian ints and longs, length-prefixed buffers and
// strings (length -1 for null), vectors as a count followed by the elements.

export class JuteWriter {
  private parts: Buffer[] = [];

  int(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }

  long(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }

  bool(v: boolean): this {
    this.parts.push(Buffer.from([v ? 1 : 0]));
    return this;
  }

  buffer(v: Buffer | null): this {
    if (v === null) return this.int(-1);
    this.int(v.length);
    this.parts.push(v);
    return this;
  }

  string(v: string): this {
    return this.buffer(Buffer.from(v, 'utf8'));
  }

  /** Appends an already serialized record. */
  raw(v: Buffer): this {
    this.parts.push(v);
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }

  /** The serialized record with its 4-byte length prefix, as every packet on the wire is framed. */
  framed(): Buffer {
    const body = this.bytes();
    const len = Buffer.alloc(4);
    len.writeInt32BE(body.length);
    return Buffer.concat([len, body]);
  }
}

export class JuteReader {
  private off = 0;
  constructor(private readonly buf: Buffer) {}

  int(): number {
    const v = this.buf.readInt32BE(this.off);
    this.off += 4;
    return v;
  }

  long(): bigint {
    const v = this.buf.readBigInt64BE(this.off);
    this.off += 8;
    return v;
  }

  bool(): boolean {
    return this.buf[this.off++] !== 0;
  }

  buffer(): Buffer | null {
    const len = this.int();
    if (len < 0) return null;
    const v = this.buf.subarray(this.off, this.off + len);
    this.off += len;
    return v;
  }

  string(): string {
    return this.buffer()?.toString('utf8') ?? '';
  }

  strings(): string[] {
    const n = this.int();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.string());
    return out;
  }

  remaining(): number {
    return this.buf.length - this.off;
  }
}

/** A znode's Stat record (org.apache.zookeeper.data.Stat). */
export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export function readStat(r: JuteReader): Stat {
  return {
    czxid: r.long(), mzxid: r.long(), ctime: r.long(), mtime: r.long(),
    version: r.int(), cversion: r.int(), aversion: r.int(),
    ephemeralOwner: r.long(), dataLength: r.int(), numChildren: r.int(), pzxid: r.long(),
  };
}
