// Rewrites the VERSION reply in a memcached text-protocol response stream, so that a Debian memcached
// answers `version` with the version of the image it stands in for. Only whole reply lines are looked
// at: the data blocks after `VALUE <key> <flags> <bytes>` and meta `VA <bytes>` lines pass through
// untouched, so stored values that contain "VERSION" are never changed. A binary-protocol stream
// (its first byte is the response magic 0x81) passes through as it is.

const BINARY_RESPONSE_MAGIC = 0x81;
const VALUE_LINE = /^VALUE \S+ \d+ (\d+)/;
const META_VALUE_LINE = /^VA (\d+)/;

export class VersionRewriter {
  private line: Buffer[] = [];
  private lineLength = 0;
  private dataLeft = 0;
  private binary: boolean | undefined;

  constructor(private readonly version: string) {}

  /** The bytes to send on for the next chunk of server output (a partial reply line is held back). */
  feed(chunk: Buffer): Buffer {
    if (this.binary === undefined && chunk.length) this.binary = chunk[0] === BINARY_RESPONSE_MAGIC;
    if (this.binary) return chunk;
    const out: Buffer[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, chunk.length - off);
        out.push(chunk.subarray(off, off + n));
        this.dataLeft -= n;
        off += n;
        continue;
      }
      const nl = chunk.indexOf(0x0a, off);
      if (nl < 0) {
        this.line.push(chunk.subarray(off));
        this.lineLength += chunk.length - off;
        break;
      }
      this.line.push(chunk.subarray(off, nl + 1));
      out.push(this.reply(Buffer.concat(this.line, this.lineLength + nl + 1 - off)));
      this.line = [];
      this.lineLength = 0;
      off = nl + 1;
    }
    return Buffer.concat(out);
  }

  /** What the server sent last without a line end (written out when the server closes). */
  flush(): Buffer {
    const rest = Buffer.concat(this.line);
    this.line = [];
    this.lineLength = 0;
    return rest;
  }

  private reply(line: Buffer): Buffer {
    const text = line.toString('latin1');
    if (text.startsWith('VERSION ')) return Buffer.from(`VERSION ${this.version}\r\n`);
    const m = VALUE_LINE.exec(text) ?? META_VALUE_LINE.exec(text);
    if (m) this.dataLeft = Number(m[1]) + 2;
    return line;
  }
}
