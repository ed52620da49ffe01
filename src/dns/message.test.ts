import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dnsPacket from 'dns-packet';
import type { Answer, Question } from 'dns-packet';
import { CLASSIC_UDP_PAYLOAD, reply } from './message.js';
import type { Resolution } from './records.js';
import { encodeQuery } from '../testing/dnsclient.js';

const many = (n: number): Resolution => ({
  rcode: 'NOERROR',
  answers: Array.from({ length: n }, (_, i): Answer => ({ type: 'A', name: 'big.default.svc.cluster.local', ttl: 5, data: `10.244.${i >> 8}.${i & 255}` })),
  authorities: [],
  additionals: [],
});
const fixed = (r: Resolution) => (): Resolution => r;
const decode = (b: Buffer | undefined) => {
  assert.ok(b, 'expected an answer');
  return dnsPacket.decode(b) as ReturnType<typeof dnsPacket.decode> & { rcode: string };
};

test('a header-only message claiming a question is FORMERR with the id echoed', () => {
  const msg = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const r = reply(msg, fixed(many(1)), 'udp');
  const p = decode(r.bytes);
  assert.equal(p.id, 0x1234);
  assert.equal(p.rcode, 'FORMERR');
  assert.equal(p.flag_qr, true);
  assert.match(r.problem ?? '', /undecodable/);
});

test('messages shorter than a header, and responses, are dropped', () => {
  assert.equal(reply(Buffer.from([1, 2, 3]), fixed(many(1)), 'udp').bytes, undefined);
  const resp = dnsPacket.encode({ type: 'response', id: 7, questions: [{ name: 'a.cluster.local', type: 'A' }] });
  assert.equal(reply(resp, fixed(many(1)), 'udp').bytes, undefined);
});

test('more than one question is FORMERR, as miekg/dns rejects it', () => {
  const questions: Question[] = Array.from({ length: 50 }, (_, i) => ({ name: `s${i}.default.svc.cluster.local`, type: 'A' }));
  const p = decode(reply(dnsPacket.encode({ type: 'query', id: 9, questions }), fixed(many(1)), 'udp').bytes);
  assert.equal(p.rcode, 'FORMERR');
  assert.equal(p.id, 9);
});

test('an opcode other than QUERY is NOTIMP', () => {
  const msg = encodeQuery('a.cluster.local', 'A');
  msg.writeUInt16BE(msg.readUInt16BE(2) | (2 << 11), 2); // STATUS
  assert.equal(decode(reply(msg, fixed(many(1)), 'udp').bytes).rcode, 'NOTIMP');
});

test('answers are authoritative, echo RD, and REFUSED is not authoritative', () => {
  const ok = decode(reply(encodeQuery('a.cluster.local', 'A'), fixed(many(1)), 'udp').bytes);
  assert.equal(ok.flag_aa, true);
  assert.equal(ok.flag_rd, true);
  assert.equal(ok.flag_ra, false);
  const no = decode(reply(encodeQuery('example.com', 'A'), fixed({ rcode: 'REFUSED', answers: [], authorities: [], additionals: [] }), 'udp').bytes);
  assert.equal(no.rcode, 'REFUSED');
  assert.equal(no.flag_aa, false);
});

test('UDP without EDNS is cut to 512 bytes with TC set and whole records kept', () => {
  const bytes = reply(encodeQuery('big.default.svc.cluster.local', 'A'), fixed(many(100)), 'udp').bytes!;
  assert.ok(bytes.length <= CLASSIC_UDP_PAYLOAD, `${bytes.length} bytes`);
  const p = decode(bytes);
  assert.equal(p.flag_tc, true);
  assert.ok(p.answers!.length > 0 && p.answers!.length < 100);
});

test('EDNS raises the UDP limit and gets an OPT back; TCP is never truncated here', () => {
  const udp = decode(reply(encodeQuery('big.default.svc.cluster.local', 'A', 4096), fixed(many(100)), 'udp').bytes);
  assert.equal(udp.flag_tc, false);
  assert.equal(udp.answers!.length, 100);
  const opt = udp.additionals!.find((a) => a.type === 'OPT') as { udpPayloadSize: number } | undefined;
  assert.equal(opt?.udpPayloadSize, 4096);
  const small = decode(reply(encodeQuery('big.default.svc.cluster.local', 'A', 100), fixed(many(100)), 'udp').bytes);
  assert.equal(small.flag_tc, true, 'an EDNS size below 512 still allows 512');
  const tcp = decode(reply(encodeQuery('big.default.svc.cluster.local', 'A'), fixed(many(100)), 'tcp').bytes);
  assert.equal(tcp.flag_tc, false);
  assert.equal(tcp.answers!.length, 100);
});

test('a resolver failure is SERVFAIL, not a crash', () => {
  const r = reply(encodeQuery('a.cluster.local', 'A'), () => {
    throw new Error('boom');
  }, 'udp');
  assert.equal(decode(r.bytes).rcode, 'SERVFAIL');
  assert.match(r.problem!, /boom/);
});
