import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { encodeResponse, ipv6Groups, type WireResponse } from './wire.js';

const base = (answers: Answer[], extra: Partial<WireResponse> = {}): WireResponse => ({
  id: 42,
  flags: dnsPacket.AUTHORITATIVE_ANSWER,
  question: { name: 'nginx.default.svc.cluster.local', type: 'A', class: 'IN' },
  answers,
  authorities: [],
  additionals: [],
  ...extra,
});

test('every served record type decodes back with dns-packet', () => {
  const answers: Answer[] = [
    { type: 'A', name: 'nginx.default.svc.cluster.local', ttl: 5, data: '10.244.1.5' },
    { type: 'AAAA', name: 'nginx.default.svc.cluster.local', ttl: 5, data: 'fd00::1:5' },
    { type: 'CNAME', name: 'db.default.svc.cluster.local', ttl: 5, data: 'db.example.com' },
    { type: 'PTR', name: '5.1.244.10.in-addr.arpa', ttl: 5, data: 'web-0.nginx.default.svc.cluster.local' },
    { type: 'SRV', name: '_web._tcp.nginx.default.svc.cluster.local', ttl: 5, data: { priority: 0, weight: 33, port: 80, target: 'web-0.nginx.default.svc.cluster.local' } },
    { type: 'TXT', name: 'dns-version.cluster.local', ttl: 5, data: '1.1.0' },
  ];
  const authorities: Answer[] = [
    { type: 'SOA', name: 'cluster.local', ttl: 5, data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 7, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } },
  ];
  const p = dnsPacket.decode(encodeResponse(base(answers, { authorities, udpPayloadSize: 4096 }), 4096));
  assert.equal(p.id, 42);
  assert.equal(p.flag_qr, true);
  assert.equal(p.flag_aa, true);
  assert.deepEqual(p.questions, [{ name: 'nginx.default.svc.cluster.local', type: 'A', class: 'IN' }]);
  const plain = (a: Answer) => ({ type: a.type, name: a.name, ttl: (a as { ttl?: number }).ttl, data: (a as { data: unknown }).data });
  const want = answers.map(plain);
  want[1].data = 'fd00::1:5';
  want[5].data = [Buffer.from('1.1.0')];
  assert.deepEqual(p.answers!.map(plain), want);
  assert.deepEqual(p.authorities!.map(plain), authorities.map(plain));
  const opt = p.additionals!.find((a) => a.type === 'OPT') as { udpPayloadSize: number };
  assert.equal(opt.udpPayloadSize, 4096);
});

test('names are compressed: 100 A records of one name fit well under 2 kB', () => {
  const answers: Answer[] = Array.from({ length: 100 }, (_, i) => ({ type: 'A', name: 'nginx.default.svc.cluster.local', ttl: 5, data: `10.244.0.${i}` }));
  const bytes = encodeResponse(base(answers), 65535);
  assert.ok(bytes.length < 2000, `${bytes.length} bytes`);
  assert.equal(dnsPacket.decode(bytes).answers!.length, 100);
});

test('over the limit: whole answers are kept and TC is set; dropped additionals alone do not set TC', () => {
  const answers: Answer[] = Array.from({ length: 100 }, (_, i) => ({ type: 'A', name: `h${i}.nginx.default.svc.cluster.local`, ttl: 5, data: `10.244.0.${i}` }));
  const cut = encodeResponse(base(answers), 512);
  assert.ok(cut.length <= 512);
  const p = dnsPacket.decode(cut);
  assert.equal(p.flag_tc, true);
  assert.ok(p.answers!.length > 5 && p.answers!.length < 100);
  const noExtra = dnsPacket.decode(encodeResponse(base(answers.slice(0, 2), { additionals: answers }), 512));
  assert.equal(noExtra.flag_tc, false);
  assert.equal(noExtra.answers!.length, 2);
  assert.ok(noExtra.additionals!.length < 100);
});

test('the EDNS OPT record always fits after truncation', () => {
  const answers: Answer[] = Array.from({ length: 100 }, (_, i) => ({ type: 'A', name: `h${i}.nginx.default.svc.cluster.local`, ttl: 5, data: `10.244.0.${i}` }));
  const bytes = encodeResponse(base(answers, { udpPayloadSize: 4096 }), 1232);
  assert.ok(bytes.length <= 1232);
  const p = dnsPacket.decode(bytes);
  assert.equal(p.flag_tc, true);
  assert.ok(p.additionals!.some((a) => a.type === 'OPT'));
});

test('ipv6Groups expands :: and dotted tails', () => {
  assert.deepEqual(ipv6Groups('fd00::1:5'), [0xfd00, 0, 0, 0, 0, 0, 1, 5]);
  assert.deepEqual(ipv6Groups('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(ipv6Groups('::ffff:10.0.0.1'), [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001]);
  assert.deepEqual(ipv6Groups('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8]);
});
