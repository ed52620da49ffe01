import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import * as dnsPacket from 'dns-packet';
import type { Question } from 'dns-packet';
import { realClock } from '../machinery/clock.js';
import { reply } from './message.js';
import type { Resolution } from './records.js';
import { DnsServer } from './server.js';
import { encodeQuery, query, sendTcp, sendUdp } from '../testing/dnsclient.js';

const resolver = (q: Question): Resolution =>
  q.name.toLowerCase() === 'ok.cluster.local'
    ? { rcode: 'NOERROR', answers: [{ type: 'A', name: q.name, ttl: 5, data: '10.96.0.7' }], authorities: [], additionals: [] }
    : { rcode: 'REFUSED', answers: [], authorities: [], additionals: [] };

let server: DnsServer;
let ports: { udpPort: number; tcpPort: number };

before(async () => {
  server = new DnsServer((msg, transport) => reply(msg, resolver, transport), realClock);
  ports = await server.listen('127.0.0.1', 0);
});
after(() => server.close());

async function stillServing(): Promise<void> {
  const u = await query(ports.udpPort, 'ok.cluster.local', 'A');
  assert.deepEqual(u.answers!.map((a) => (a as { data: unknown }).data), ['10.96.0.7']);
  const t = await query(ports.tcpPort, 'ok.cluster.local', 'A', { tcp: true });
  assert.deepEqual(t.answers!.map((a) => (a as { data: unknown }).data), ['10.96.0.7']);
}

/** A question whose name is 255 characters in text form (four labels of 63): over the 255-octet wire limit. */
function longNameQuery(): Buffer {
  const label = 'a'.repeat(63);
  const parts = [label, label, label, label];
  const qname = Buffer.concat([...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const hdr = Buffer.from([0, 5, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([hdr, qname, Buffer.from([0, 1, 0, 1])]);
}

test('port 0 gives the same free port for UDP and TCP', () => {
  assert.ok(ports.udpPort > 0);
  assert.equal(ports.udpPort, ports.tcpPort);
});

test('hostile UDP input is answered FORMERR or dropped, and the server keeps serving', async () => {
  const garbage = Buffer.from('this is not a dns packet at all, just bytes \x00\xff\xfe');
  const good = encodeQuery('ok.cluster.local', 'A');
  const fifty = dnsPacket.encode({ type: 'query', id: 3, questions: Array.from({ length: 50 }, (_, i): Question => ({ name: `q${i}.cluster.local`, type: 'A' })) });
  const pointerLoop = Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  const inputs = [Buffer.alloc(0), Buffer.from([1]), garbage, good.subarray(0, good.length - 3), good.subarray(0, 14), fifty, longNameQuery(), pointerLoop, Buffer.alloc(1400, 0xff)];
  for (const msg of inputs) {
    const out = await sendUdp(ports.udpPort, msg, 200);
    if (out && out.length >= 4) assert.ok((out.readUInt16BE(2) & 0xf) !== 0, 'a malformed message never gets NOERROR');
  }
  const f = await sendUdp(ports.udpPort, fifty);
  assert.equal((dnsPacket.decode(f!) as { rcode?: string }).rcode, 'FORMERR');
  const l = await sendUdp(ports.udpPort, longNameQuery());
  assert.equal((dnsPacket.decode(l!) as { rcode?: string }).rcode, 'FORMERR');
  await stillServing();
});

test('hostile TCP input: garbage frames, a truncated frame and an early close do not stop the server', async () => {
  const garbage = await sendTcp(ports.tcpPort, Buffer.from('GET / HTTP/1.1\r\n\r\n'), 300).catch(() => undefined);
  if (garbage) assert.notEqual(garbage.readUInt16BE(2) & 0xf, 0);
  await new Promise<void>((resolve) => {
    const s = net.connect(ports.tcpPort, '127.0.0.1', () => {
      s.write(Buffer.from([0xff, 0xff, 1, 2, 3])); // announces 65535 bytes, sends 3, hangs up
      s.end();
    });
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
  await stillServing();
});

test('TCP carries several length-prefixed queries in one connection, split across writes', async () => {
  const frames = ['ok.cluster.local', 'OK.cluster.local.', 'example.com'].map((n) => {
    const q = encodeQuery(n, 'A');
    const p = Buffer.alloc(2);
    p.writeUInt16BE(q.length, 0);
    return Buffer.concat([p, q]);
  });
  const all = Buffer.concat(frames);
  const replies = await new Promise<string[]>((resolve, reject) => {
    const s = net.connect(ports.tcpPort, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const out: string[] = [];
    s.on('error', reject);
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push((dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))) as { rcode?: string }).rcode ?? '');
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === 3) {
        s.destroy();
        resolve(out);
      }
    });
    s.write(all.subarray(0, 7));
    setTimeout(() => s.write(all.subarray(7)), 20);
  });
  assert.deepEqual(replies, ['NOERROR', 'NOERROR', 'REFUSED']);
});
