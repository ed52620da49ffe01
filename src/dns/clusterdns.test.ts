import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { SrvData } from 'dns-packet';
import { REFS } from '../client/client.js';
import { testCluster, waitFor, type TestCluster } from '../testing/fixture.js';
import { ClusterDNS } from './clusterdns.js';
import { forward, parseUpstream } from './upstream.js';
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { encodeQuery, query } from '../testing/dnsclient.js';

let c: TestCluster;
let dns: ClusterDNS;
let port: number;

before(async () => {
  c = await testCluster();
  dns = new ClusterDNS({ informers: c.informers, clock: c.clock });
  await c.start();
  const p = await dns.listen('127.0.0.1', 0);
  port = p.udpPort;
  assert.equal(p.tcpPort, p.udpPort);
});
after(async () => {
  await dns.close();
  c.stop();
});

const services = () => c.client.resource(REFS.services);
const slices = () => c.client.resource(REFS.endpointslices);
const ips = (p: Awaited<ReturnType<typeof query>>) => (p.answers ?? []).map((a) => (a as { data: unknown }).data);
const endpoint = (ip: string, ready: boolean, hostname?: string): Endpoint => ({ addresses: [ip], conditions: { ready }, ...(hostname ? { hostname } : {}), targetRef: { kind: 'Pod', namespace: 'default', name: hostname ?? ip } });

function headless(name: string, extra: Service['spec'] = {}): Service {
  return { metadata: { name }, spec: { clusterIP: 'None', selector: { app: name }, ports: [{ name: 'web', port: 80, protocol: 'TCP' }], ...extra } };
}

function slice(service: string, endpoints: Endpoint[], name = `${service}-abc`): EndpointSlice {
  return {
    metadata: { name, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'web', port: 8080, protocol: 'TCP' }],
  };
}

test('the kubernetes Service resolves to its ClusterIP, and its PTR names it, over UDP and TCP', async () => {
  const svc = await services().get('default', 'kubernetes');
  const ip = svc.spec!.clusterIP!;
  const udp = await query(port, 'kubernetes.default.svc.cluster.local', 'A');
  assert.equal(udp.rcode, 'NOERROR');
  assert.equal(udp.flag_aa, true);
  assert.deepEqual(ips(udp), [ip]);
  assert.equal((udp.answers![0] as { ttl: number }).ttl, 5);
  assert.deepEqual(ips(await query(port, 'kubernetes.default.svc.cluster.local', 'A', { tcp: true })), [ip]);
  const ptr = await query(port, ip.split('.').reverse().join('.') + '.in-addr.arpa', 'PTR');
  assert.deepEqual(ips(ptr), ['kubernetes.default.svc.cluster.local']);
  const aaaa = await query(port, 'kubernetes.default.svc.cluster.local', 'AAAA');
  assert.equal(aaaa.rcode, 'NOERROR');
  assert.deepEqual(aaaa.answers, []);
  assert.equal(aaaa.authorities![0].type, 'SOA');
});

test('outside names are REFUSED and unknown Services NXDOMAIN', async () => {
  assert.equal((await query(port, 'example.com', 'A')).rcode, 'REFUSED');
  const nx = await query(port, 'nope.default.svc.cluster.local', 'A');
  assert.equal(nx.rcode, 'NXDOMAIN');
  assert.equal(nx.authorities![0].type, 'SOA');
});

test('a StatefulSet-style headless Service: per-pod names, ready endpoints only, SRV, PTR, following changes', async () => {
  await services().create('default', headless('nginx'));
  const s = await slices().create('default', slice('nginx', [endpoint('10.244.1.5', true, 'web-0'), endpoint('10.244.2.6', true, 'web-1'), endpoint('10.244.1.7', false, 'web-2')]));
  await waitFor(async () => ips(await query(port, 'nginx.default.svc.cluster.local', 'A')).length === 2, 'headless A records');
  assert.deepEqual(ips(await query(port, 'nginx.default.svc.cluster.local', 'A')).sort(), ['10.244.1.5', '10.244.2.6']);
  assert.deepEqual(ips(await query(port, 'web-0.nginx.default.svc.cluster.local', 'A')), ['10.244.1.5']);
  assert.equal((await query(port, 'web-2.nginx.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');

  const srv = await query(port, '_web._tcp.nginx.default.svc.cluster.local', 'SRV', { tcp: true });
  const targets = (srv.answers ?? []).map((a) => (a as { data: SrvData }).data);
  assert.deepEqual(targets.map((t) => [t.target, t.port]).sort(), [
    ['web-0.nginx.default.svc.cluster.local', 8080],
    ['web-1.nginx.default.svc.cluster.local', 8080],
  ]);
  assert.deepEqual((srv.additionals ?? []).filter((a) => a.type === 'A').map((a) => a.name).sort(), ['web-0.nginx.default.svc.cluster.local', 'web-1.nginx.default.svc.cluster.local']);
  assert.deepEqual(ips(await query(port, '5.1.244.10.in-addr.arpa', 'PTR')), ['web-0.nginx.default.svc.cluster.local']);

  // web-2 becomes ready: the cached answer must not survive the change
  await slices().update('default', { ...structuredClone(s), endpoints: s.endpoints.map((e) => ({ ...e, conditions: { ready: true } })) });
  await waitFor(async () => ips(await query(port, 'web-2.nginx.default.svc.cluster.local', 'A'))[0] === '10.244.1.7', 'web-2 to resolve once ready');

  await services().delete('default', 'nginx');
  await waitFor(async () => (await query(port, 'web-0.nginx.default.svc.cluster.local', 'A')).rcode === 'NXDOMAIN', 'names gone with the Service');
});

test('publishNotReadyAddresses publishes not-ready endpoints', async () => {
  await services().create('default', headless('peers', { publishNotReadyAddresses: true }));
  await slices().create('default', slice('peers', [endpoint('10.244.3.1', false, 'peer-0'), endpoint('10.244.3.2', false, 'peer-1')]));
  await waitFor(async () => ips(await query(port, 'peers.default.svc.cluster.local', 'A')).length === 2, 'not-ready peers published');
  assert.deepEqual(ips(await query(port, 'peer-1.peers.default.svc.cluster.local', 'A')), ['10.244.3.2']);
});

test('a pod answers under <dashed-ip>.<ns>.pod once it has that IP', async () => {
  const pods = c.client.resource(REFS.pods);
  const pod = await pods.create('default', { metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } as Pod);
  assert.equal((await query(port, '10-244-4-9.default.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
  await pods.updateStatus('default', { ...structuredClone(pod), status: { phase: 'Running', podIP: '10.244.4.9', podIPs: [{ ip: '10.244.4.9' }] } });
  await waitFor(async () => ips(await query(port, '10-244-4-9.default.pod.cluster.local', 'A'))[0] === '10.244.4.9', 'pod A record');
});

test('100 endpoints: truncated over plain UDP, whole over EDNS and TCP', async () => {
  await services().create('default', headless('big'));
  const eps = Array.from({ length: 100 }, (_, i) => endpoint(`10.244.9.${i + 1}`, true, `big-${i}`));
  await slices().create('default', slice('big', eps));
  await waitFor(async () => ips(await query(port, 'big.default.svc.cluster.local', 'A', { tcp: true })).length === 100, '100 A records over TCP');
  const plain = await query(port, 'big.default.svc.cluster.local', 'A');
  assert.equal(plain.flag_tc, true);
  const edns = await query(port, 'big.default.svc.cluster.local', 'A', { edns: 4096 });
  assert.equal(edns.flag_tc, false);
  assert.equal(ips(edns).length, 100);
  const srv = await query(port, '_web._tcp.big.default.svc.cluster.local', 'SRV', { tcp: true });
  assert.equal(srv.answers!.length, 100);
  assert.equal(srv.additionals!.length, 100);
});

test('repeated queries are served from the reply cache with their own id', async () => {
  const a = encodeQuery('kubernetes.default.svc.cluster.local', 'A');
  const b = Buffer.from(a);
  b.writeUInt16BE((a.readUInt16BE(0) + 1) & 0xffff, 0);
  const first = (await dns.respond(a, 'udp')).bytes!;
  const second = (await dns.respond(b, 'udp')).bytes!;
  assert.equal(second.readUInt16BE(0), b.readUInt16BE(0));
  assert.deepEqual(second.subarray(2), first.subarray(2));
  assert.equal(first.readUInt16BE(0), a.readUInt16BE(0), 'the cached bytes are not changed by a later hit');
});

test('names outside the cluster are REFUSED, or forwarded as they came when an upstream is configured', async () => {
  // A stand-in upstream on loopback: it answers every A query with 192.0.2.7 (tests never ask outside names).
  const upstream = dgram.createSocket('udp4');
  upstream.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const reply = dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers: [{ type: 'A', name: q.questions![0].name, ttl: 60, data: '192.0.2.7' }] });
    upstream.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  const forwarding = new ClusterDNS({ informers: c.informers, clock: c.clock, upstream: { host: '127.0.0.1', port: (upstream.address() as AddressInfo).port } });
  const p = await forwarding.listen('127.0.0.1', 0);
  try {
    assert.equal((await query(port, 'www.example.test', 'A')).rcode, 'REFUSED');
    const viaUdp = await query(p.udpPort, 'www.example.test', 'A');
    assert.equal(viaUdp.rcode, 'NOERROR');
    assert.deepEqual(ips(viaUdp), ['192.0.2.7']);
    assert.deepEqual(ips(await query(p.tcpPort, 'www.example.test', 'A', { tcp: true })), ['192.0.2.7']);
    // The cluster's own names never go upstream.
    assert.deepEqual(ips(await query(p.udpPort, 'kubernetes.default.svc.cluster.local', 'A')), ['10.96.0.1']);
  } finally {
    await forwarding.close();
    upstream.close();
  }
});

test('an upstream that does not answer is SERVFAIL', async () => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  const msg = encodeQuery('www.example.test', 'A');
  const reply = await forward(msg, { host: '127.0.0.1', port: (silent.address() as AddressInfo).port }, 200);
  silent.close();
  assert.equal(reply[3] & 0x0f, 2, 'SERVFAIL');
  assert.equal(reply.readUInt16BE(0), msg.readUInt16BE(0));
  assert.deepEqual(parseUpstream('10.0.0.2'), { host: '10.0.0.2', port: 53 });
  assert.deepEqual(parseUpstream('[::1]:5353'), { host: '::1', port: 5353 });
  assert.throws(() => parseUpstream('dns.example'), /is not an IP address/);
});
