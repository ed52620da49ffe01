// One DNS message in, one out (or none): decoding (dns-packet), the checks miekg/dns (under CoreDNS)
// applies before a query reaches a plugin, and the EDNS payload size that bounds a UDP answer.
// Transport-independent and pure.

import * as dnsPacket from 'dns-packet';
import type { DecodedPacket, OptAnswer, Question } from 'dns-packet';
import type { Resolution } from './records.js';
import { encodeResponse, type WireResponse } from './wire.js';

/** The payload size this server advertises and never exceeds over UDP (RFC 6891). */
export const MAX_UDP_PAYLOAD = 4096;
/** Without EDNS a UDP answer is at most 512 bytes (RFC 1035 §4.2.1). */
export const CLASSIC_UDP_PAYLOAD = 512;

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type RcodeName = keyof typeof RCODE;
const QR = 0x8000;
const OPCODE_MASK = 0x7800;
const RD = 0x0100;

export type Transport = 'udp' | 'tcp';

export interface Reply {
  /** The encoded answer, or undefined when the message must be dropped. */
  bytes?: Buffer;
  /** Why a message was refused as malformed or dropped, for the log. */
  problem?: string;
}

/** Answer one wire message; `resolve` is called for a well-formed single-question query only. */
export function reply(msg: Buffer, resolve: (q: Question) => Resolution, transport: Transport): Reply {
  if (msg.length < 12) return { problem: `message of ${msg.length} bytes is shorter than a DNS header` };
  const id = msg.readUInt16BE(0);
  const rawFlags = msg.readUInt16BE(2);
  // Never answer a response: two servers could otherwise bounce packets between them forever.
  if (rawFlags & QR) return { problem: 'message is a response, not a query' };
  const echo = (rawFlags & OPCODE_MASK) | (rawFlags & RD);
  let query: DecodedPacket;
  try {
    query = dnsPacket.decode(msg);
  } catch (e) {
    return { bytes: header(id, echo, 'FORMERR'), problem: `undecodable message: ${(e as Error).message}` };
  }
  if ((rawFlags & OPCODE_MASK) !== 0) return { bytes: header(id, echo, 'NOTIMP') };
  const questions = query.questions ?? [];
  if (questions.length !== 1) return { bytes: header(id, echo, 'FORMERR'), problem: `query has ${questions.length} questions, want 1` };
  const q = questions[0];
  if (q.name.split('.').some((l) => l.length > 63)) return { bytes: header(id, echo, 'FORMERR'), problem: 'label longer than 63 octets' };
  const opt = (query.additionals ?? []).find((a): a is OptAnswer => a.type === 'OPT');
  let res: Resolution;
  try {
    res = resolve(q);
  } catch (e) {
    return { bytes: header(id, echo, 'SERVFAIL'), problem: `resolving ${q.name} ${q.type} failed: ${(e as Error).message}` };
  }
  const flags = echo | (res.rcode === 'REFUSED' ? 0 : dnsPacket.AUTHORITATIVE_ANSWER) | RCODE[res.rcode];
  const limit = transport === 'tcp' ? 65535 : opt ? Math.min(MAX_UDP_PAYLOAD, Math.max(CLASSIC_UDP_PAYLOAD, opt.udpPayloadSize)) : CLASSIC_UDP_PAYLOAD;
  const wire: WireResponse = { id, flags, question: q, answers: res.answers, authorities: res.authorities, additionals: res.additionals };
  if (opt) wire.udpPayloadSize = MAX_UDP_PAYLOAD;
  try {
    return { bytes: encodeResponse(wire, limit) };
  } catch (e) {
    return { bytes: header(id, echo, 'SERVFAIL'), problem: `encoding the answer to ${q.name} ${q.type} failed: ${(e as Error).message}` };
  }
}

/** A header-only answer (no question echoed): what miekg/dns sends for a message it rejects. */
function header(id: number, echo: number, rcode: RcodeName): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(QR | echo | RCODE[rcode], 2);
  return b;
}
