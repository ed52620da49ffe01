// The protobuf wire format, read forward over one buffer: varints, length-delimited fields, skipping.
// Errors carry gogo's texts ("unexpected EOF", "proto: illegal wireType 7") so clients see familiar messages.

export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

export class WireError extends Error {}

export class WireReader {
  pos: number;
  /** Low and high 32 bits of the last varint read. */
  private lo = 0;
  private hi = 0;

  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** A field key: [field number, wire type]. */
  key(): [number, number] {
    this.varint();
    if (this.hi !== 0 || this.lo >>> 3 === 0) throw new WireError(`proto: illegal tag ${this.lo >>> 3} (wire type ${this.lo & 7})`);
    return [this.lo >>> 3, this.lo & 7];
  }

  private varint(): void {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('unexpected EOF');
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new WireError('proto: integer overflow');
  }

  int32(): number {
    this.varint();
    return this.lo | 0;
  }

  /** Signed 64-bit value; exact up to 2^53, as JSON numbers are. */
  int64(): number {
    this.varint();
    return (this.hi | 0) * 4294967296 + this.lo;
  }

  bool(): boolean {
    this.varint();
    return this.lo !== 0 || this.hi !== 0;
  }

  /** Bounds of a length-delimited field's payload; the reader moves past it. */
  span(): [number, number] {
    this.varint();
    if (this.hi !== 0 || this.lo > this.end - this.pos) throw new WireError('unexpected EOF');
    const start = this.pos;
    this.pos += this.lo;
    return [start, this.pos];
  }

  bytes(): Buffer {
    const [start, end] = this.span();
    return this.buf.subarray(start, end);
  }

  string(): string {
    const [start, end] = this.span();
    return this.buf.toString('utf8', start, end);
  }

  skip(wire: number): void {
    switch (wire) {
      case VARINT:
        this.varint();
        return;
      case LEN:
        this.span();
        return;
      case FIXED64:
      case FIXED32: {
        const size = wire === FIXED64 ? 8 : 4;
        if (this.end - this.pos < size) throw new WireError('unexpected EOF');
        this.pos += size;
        return;
      }
      default:
        throw new WireError(`proto: illegal wireType ${wire}`);
    }
  }
}

/** Builds one message; a nested message is written by its own writer and embedded with its length. */
export class WireWriter {
  private readonly parts: Buffer[] = [];

  private varint(n: number): void {
    const bytes: number[] = [];
    let v = n;
    while (v >= 0x80) {
      bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    bytes.push(v);
    this.parts.push(Buffer.from(bytes));
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  bytes(field: number, value: Buffer): this {
    this.key(field, LEN);
    this.varint(value.length);
    this.parts.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  bool(field: number, value: boolean): this {
    this.key(field, VARINT);
    this.varint(value ? 1 : 0);
    return this;
  }

  double(field: number, value: number): this {
    this.key(field, FIXED64);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.parts.push(b);
    return this;
  }

  message(field: number, fill: (w: WireWriter) => void): this {
    const inner = new WireWriter();
    fill(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}
