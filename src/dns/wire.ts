// Response encoding with name compression (RFC 1035 §4.1.4). dns-packet's encoder writes every name
// in full, so 100 A records of a headless Service take ~4.7 kB instead of ~1.7 kB and no longer fit
// an EDNS UDP answer. Only the record types the cluster zone serves are written here; queries are
// still decoded by dns-packet. Records that do not fit the size limit are left out whole.

import { isIPv6 } from 'node:net';
import type { Answer, Question, SoaData, SrvData, TxtData } from 'dns-packet';

export interface WireResponse {
  id: number;
  /** Header flags without QR and TC (set here). */
  flags: number;
  question: Question;
  answers: readonly Answer[];
  authorities: readonly Answer[];
  additionals: readonly Answer[];
  /** EDNS OPT to append, with the payload size this server advertises. */
  udpPayloadSize?: number;
}

const TYPE: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 };
const QR = 0x8000;
const TC = 0x0200;

class Overflow extends Error {}

class Writer {
  readonly buf: Buffer;
  offset = 0;
  private names = new Map<string, number>();

  constructor(readonly limit: number) {
    this.buf = Buffer.allocUnsafe(limit);
  }

  room(n: number): void {
    if (this.offset + n > this.limit) throw new Overflow();
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.offset++] = v;
  }

  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16BE(v, this.offset);
    this.offset += 2;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.offset);
    this.offset += 4;
  }

  name(name: string, compress = true): void {
    const lower = name.toLowerCase();
    let pos = lower.startsWith('.') ? 1 : 0;
    const stop = lower.endsWith('.') ? lower.length - 1 : lower.length;
    while (pos < stop) {
      let end = lower.indexOf('.', pos);
      if (end < 0 || end > stop) end = stop;
      if (end === pos) {
        pos++;
        continue;
      }
      const suffix = pos === 0 && stop === lower.length ? lower : lower.slice(pos, stop);
      const at = this.names.get(suffix);
      if (compress && at !== undefined) return this.u16(0xc000 | at);
      if (this.offset < 0x4000 && at === undefined) this.names.set(suffix, this.offset);
      const label = name.slice(pos, end);
      const len = Buffer.byteLength(label);
      if (len > 63) throw new Error(`label longer than 63 octets in ${name}`);
      this.room(1 + len);
      this.buf[this.offset] = len;
      this.buf.write(label, this.offset + 1);
      this.offset += 1 + len;
      pos = end + 1;
    }
    this.u8(0);
  }

  /** Forget compression targets at or after `offset` (after a rollback). */
  rollback(offset: number): void {
    this.offset = offset;
    for (const [k, v] of this.names) if (v >= offset) this.names.delete(k);
  }
}

/** Encode `r` into at most `limit` bytes; TC is set when an answer or authority record had to go. */
export function encodeResponse(r: WireResponse, limit: number): Buffer {
  const w = new Writer(limit);
  const optBytes = r.udpPayloadSize ? 11 : 0;
  w.u16(r.id);
  w.u16(0);
  w.u16(1);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  w.name(r.question.name);
  w.u16(TYPE[r.question.type] ?? (Number(r.question.type.replace(/^UNKNOWN_/i, '')) || 0));
  w.u16(r.question.class === 'ANY' ? 255 : 1);
  let truncated = false;
  const counts = [0, 0, 0];
  const sections = [r.answers, r.authorities, r.additionals];
  outer: for (let s = 0; s < sections.length; s++) {
    for (const rr of sections[s]) {
      const start = w.offset;
      try {
        record(w, rr);
        if (w.offset + optBytes > limit) throw new Overflow();
        counts[s]++;
      } catch (e) {
        if (!(e instanceof Overflow)) throw e;
        w.rollback(start);
        truncated = s < 2; // RFC 2181 §9: leaving out additional data is not truncation
        break outer;
      }
    }
  }
  if (r.udpPayloadSize) {
    w.u8(0);
    w.u16(TYPE.OPT);
    w.u16(r.udpPayloadSize);
    w.u32(0);
    w.u16(0);
  }
  w.buf.writeUInt16BE(QR | (r.flags & ~TC & 0x7fff) | (truncated ? TC : 0), 2);
  w.buf.writeUInt16BE(counts[0], 6);
  w.buf.writeUInt16BE(counts[1], 8);
  w.buf.writeUInt16BE(counts[2] + (r.udpPayloadSize ? 1 : 0), 10);
  return Buffer.from(w.buf.subarray(0, w.offset));
}

function record(w: Writer, rr: Answer): void {
  const type = TYPE[rr.type];
  if (type === undefined || rr.type === 'OPT') throw new Error(`cannot encode record type ${rr.type}`);
  w.name(rr.name);
  w.u16(type);
  w.u16(1);
  w.u32(rr.ttl ?? 0);
  const lenAt = w.offset;
  w.u16(0);
  const data = (rr as { data: unknown }).data;
  switch (rr.type) {
    case 'A':
      for (const o of (data as string).split('.')) w.u8(Number(o));
      break;
    case 'AAAA':
      for (const g of ipv6Groups(data as string)) w.u16(g);
      break;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      w.name(data as string);
      break;
    case 'SRV': {
      const d = data as SrvData;
      w.u16(d.priority ?? 0);
      w.u16(d.weight ?? 0);
      w.u16(d.port);
      w.name(d.target, false); // RFC 2782: the target is not compressed
      break;
    }
    case 'SOA': {
      const d = data as SoaData;
      w.name(d.mname);
      w.name(d.rname);
      for (const v of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) w.u32(v ?? 0);
      break;
    }
    case 'TXT':
      for (const s of txtStrings(data as TxtData)) {
        w.u8(s.length);
        w.room(s.length);
        s.copy(w.buf, w.offset);
        w.offset += s.length;
      }
      break;
  }
  w.buf.writeUInt16BE(w.offset - lenAt - 2, lenAt);
}

function txtStrings(d: TxtData): Buffer[] {
  const parts = Array.isArray(d) ? d : [d];
  return parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p).subarray(0, 255));
}

/** The eight 16-bit groups of an IPv6 address (with `::` and a dotted IPv4 tail expanded). */
export function ipv6Groups(ip: string): number[] {
  if (!isIPv6(ip)) throw new Error(`not an IPv6 address: ${ip}`);
  let s = ip;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    s = s.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...zeros, ...t].map((g) => parseInt(g, 16));
}
