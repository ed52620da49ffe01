import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Question, RecordType, SoaData, SrvData } from 'dns-packet';
import { parseCidr } from './names.js';
import { resolve, type ClusterView, type DnsEndpoint, type DnsService, type ResolveConfig } from './records.js';

const cfg: ResolveConfig = { zone: 'cluster.local', ttl: 5, reverseCIDRs: ['10.96.0.0/12', '10.244.0.0/16'].map(parseCidr), pods: 'verified' };
const web = [{ name: 'web', port: 80, protocol: 'TCP' }];

function svc(name: string, kind: DnsService['kind'], extra: Partial<DnsService> = {}): DnsService {
  return { namespace: 'default', name, kind, clusterIPs: [], ports: web, publishNotReadyAddresses: false, ...extra };
}

function fakeView(services: DnsService[], endpoints: Record<string, DnsEndpoint[]>, pods: Array<[string, string]> = []): ClusterView {
  const key = (ns: string, n: string) => `${ns}/${n}`;
  return {
    service: (ns, n) => services.find((s) => key(s.namespace, s.name) === key(ns, n)),
    endpoints: (ns, n) => endpoints[key(ns, n)] ?? [],
    namespaceExists: (ns) => ns === 'default' || ns === 'kube-system',
    podHasIP: (ns, ip) => pods.some(([pns, pip]) => pns === ns && pip === ip),
    servicesWithClusterIP: (ip) => services.filter((s) => s.clusterIPs.includes(ip)),
    endpointsWithIP: (ip) =>
      Object.entries(endpoints).flatMap(([k, eps]) => eps.filter((e) => e.ip === ip && e.hostname).map((e) => ({ namespace: k.split('/')[0], service: k.split('/')[1], hostname: e.hostname! }))),
    serial: () => 1767225600,
  };
}

const ep = (ip: string, ready: boolean, hostname?: string): DnsEndpoint => ({ ip, ready, hostname, ports: web });

const view = fakeView(
  [
    svc('kubernetes', 'ClusterIP', { clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }),
    svc('kube-dns', 'ClusterIP', { namespace: 'kube-system', clusterIPs: ['10.96.0.10'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }),
    svc('nginx', 'Headless'),
    svc('peers', 'Headless', { publishNotReadyAddresses: true }),
    svc('empty', 'Headless'),
    svc('db', 'ExternalName', { externalName: 'DB.Example.COM', ports: [] }),
  ],
  {
    'default/nginx': [ep('10.244.1.5', true, 'web-0'), ep('10.244.2.6', true, 'web-1'), ep('10.244.1.7', false, 'web-2'), ep('10.244.3.8', true)],
    'default/peers': [ep('10.244.1.5', true), ep('10.244.1.7', false)],
    'default/empty': [ep('10.244.1.9', false)],
  },
  [['default', '10.244.1.5']],
);

const ask = (name: string, type: RecordType, v: ClusterView = view, c: ResolveConfig = cfg) => resolve(v, { name, type, class: 'IN' } as Question, c);
const data = (r: ReturnType<typeof ask>) => r.answers.map((a) => (a as { data: unknown }).data);

test('a ClusterIP Service has an A record with the ClusterIP, TTL 5', () => {
  const r = ask('kubernetes.default.svc.cluster.local', 'A');
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.answers, [{ type: 'A', name: 'kubernetes.default.svc.cluster.local', ttl: 5, data: '10.96.0.1' }]);
  assert.deepEqual(r.authorities, []);
});

test('names are case-insensitive and may end with a dot; the answer owner echoes the question', () => {
  const r = ask('KUBERNETES.Default.SVC.cluster.local.', 'A');
  assert.deepEqual(data(r), ['10.96.0.1']);
  assert.equal(r.answers[0].name, 'KUBERNETES.Default.SVC.cluster.local');
});

test('AAAA of an IPv4 Service is NODATA with the zone SOA (minimum 5)', () => {
  const r = ask('kubernetes.default.svc.cluster.local', 'AAAA');
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.answers, []);
  assert.equal(r.authorities.length, 1);
  const soa = r.authorities[0] as { type: string; name: string; data: SoaData };
  assert.equal(soa.type, 'SOA');
  assert.equal(soa.name, 'cluster.local');
  assert.deepEqual(soa.data, { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1767225600, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 });
});

test('unknown Services, namespaces and labels are NXDOMAIN with the SOA', () => {
  for (const n of ['nope.default.svc.cluster.local', 'kubernetes.nope.svc.cluster.local', 'nope.svc.cluster.local', 'a.b.c.d.e.f.svc.cluster.local', 'other.cluster.local']) {
    const r = ask(n, 'A');
    assert.equal(r.rcode, 'NXDOMAIN', n);
    assert.equal(r.authorities[0]?.type, 'SOA', n);
  }
});

test('the intermediate names exist without records (NODATA)', () => {
  for (const n of ['cluster.local', 'svc.cluster.local', 'default.svc.cluster.local', 'pod.cluster.local', 'default.pod.cluster.local', '_tcp.nginx.default.svc.cluster.local']) {
    const r = ask(n, 'A');
    assert.equal(r.rcode, 'NOERROR', n);
    assert.deepEqual(r.answers, [], n);
    assert.equal(r.authorities[0]?.type, 'SOA', n);
  }
});

test('the zone apex answers SOA; dns-version answers the schema version', () => {
  assert.equal(ask('cluster.local', 'SOA').answers[0].type, 'SOA');
  assert.deepEqual(data(ask('dns-version.cluster.local', 'TXT')), ['1.1.0']);
});

test('a headless Service has one A per ready endpoint; publishNotReadyAddresses adds the not-ready ones', () => {
  assert.deepEqual(data(ask('nginx.default.svc.cluster.local', 'A')), ['10.244.1.5', '10.244.2.6', '10.244.3.8']);
  assert.deepEqual(data(ask('peers.default.svc.cluster.local', 'A')), ['10.244.1.5', '10.244.1.7']);
});

test('a headless Service without ready endpoints is NODATA, as CoreDNS answers by default', () => {
  const r = ask('empty.default.svc.cluster.local', 'A');
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.answers, []);
});

test('per-endpoint names: hostname of a ready endpoint, dashed IP without hostname; a not-ready pod is NXDOMAIN', () => {
  assert.deepEqual(data(ask('web-0.nginx.default.svc.cluster.local', 'A')), ['10.244.1.5']);
  assert.deepEqual(data(ask('Web-1.nginx.default.svc.cluster.local', 'A')), ['10.244.2.6']);
  assert.deepEqual(data(ask('10-244-3-8.nginx.default.svc.cluster.local', 'A')), ['10.244.3.8']);
  assert.equal(ask('web-2.nginx.default.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
  assert.equal(ask('web-9.nginx.default.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
  assert.equal(ask('web-0.kubernetes.default.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
  assert.equal(ask('web-0.nginx.default.svc.cluster.local', 'AAAA').rcode, 'NOERROR');
});

test('headless SRV: one record per ready endpoint with its hostname or dashed IP as target, plus A additionals', () => {
  const r = ask('_web._tcp.nginx.default.svc.cluster.local', 'SRV');
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(
    (data(r) as SrvData[]).map((d) => d.target),
    ['web-0.nginx.default.svc.cluster.local', 'web-1.nginx.default.svc.cluster.local', '10-244-3-8.nginx.default.svc.cluster.local'],
  );
  assert.ok((data(r) as SrvData[]).every((d) => d.port === 80 && d.priority === 0));
  assert.deepEqual(
    r.additionals.map((a) => [a.name, a.type, (a as { data: unknown }).data]),
    [
      ['web-0.nginx.default.svc.cluster.local', 'A', '10.244.1.5'],
      ['web-1.nginx.default.svc.cluster.local', 'A', '10.244.2.6'],
      ['10-244-3-8.nginx.default.svc.cluster.local', 'A', '10.244.3.8'],
    ],
  );
});

test('ClusterIP SRV targets the Service name; unknown ports and protocols are NXDOMAIN', () => {
  const r = ask('_dns._udp.kube-dns.kube-system.svc.cluster.local', 'SRV');
  assert.deepEqual(data(r), [{ priority: 0, weight: 100, port: 53, target: 'kube-dns.kube-system.svc.cluster.local' }]);
  assert.deepEqual(data({ ...r, answers: r.additionals }), ['10.96.0.10']);
  assert.equal(ask('_dns._tcp.kube-dns.kube-system.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
  assert.equal(ask('_http._tcp.kube-dns.kube-system.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
  assert.equal(ask('_dns._udp.kube-dns.kube-system.svc.cluster.local', 'A').rcode, 'NOERROR');
});

test('unnamed ports get no SRV', () => {
  const v = fakeView([svc('anon', 'ClusterIP', { clusterIPs: ['10.96.0.20'], ports: [{ name: '', port: 80, protocol: 'TCP' }] })], {});
  assert.equal(ask('__tcp.anon.default.svc.cluster.local', 'SRV', v).rcode, 'NXDOMAIN');
  assert.equal(ask('_._tcp.anon.default.svc.cluster.local', 'SRV', v).rcode, 'NXDOMAIN');
});

test('PTR: a ClusterIP names its Service; an endpoint IP with hostname names the endpoint', () => {
  assert.deepEqual(data(ask('10.0.96.10.in-addr.arpa', 'PTR')), ['kube-dns.kube-system.svc.cluster.local']);
  assert.deepEqual(data(ask('5.1.244.10.in-addr.arpa.', 'PTR')), ['web-0.nginx.default.svc.cluster.local']);
  // not ready, and without a hostname: no PTR
  assert.equal(ask('7.1.244.10.in-addr.arpa', 'PTR').rcode, 'NXDOMAIN');
  const none = ask('8.3.244.10.in-addr.arpa', 'PTR');
  assert.equal(none.rcode, 'NXDOMAIN');
  assert.equal(none.authorities[0].name, 'in-addr.arpa');
});

test('names outside the cluster domain and our reverse ranges are REFUSED, without SOA', () => {
  for (const [n, t] of [['example.com', 'A'], ['8.8.8.8.in-addr.arpa', 'PTR'], ['1.0.0.10.ip6.arpa', 'PTR'], ['local', 'A'], ['96.10.in-addr.arpa', 'PTR']] as const) {
    const r = ask(n, t);
    assert.equal(r.rcode, 'REFUSED', n);
    assert.deepEqual([...r.answers, ...r.authorities], []);
  }
});

test('pod records: verified needs a pod in the namespace with that IP; insecure answers any IP', () => {
  assert.deepEqual(data(ask('10-244-1-5.default.pod.cluster.local', 'A')), ['10.244.1.5']);
  assert.equal(ask('10-244-1-6.default.pod.cluster.local', 'A').rcode, 'NXDOMAIN');
  assert.equal(ask('10-244-1-5.kube-system.pod.cluster.local', 'A').rcode, 'NXDOMAIN');
  assert.equal(ask('not-an-ip.default.pod.cluster.local', 'A').rcode, 'NXDOMAIN');
  assert.deepEqual(data(ask('10-244-1-6.default.pod.cluster.local', 'A', view, { ...cfg, pods: 'insecure' })), ['10.244.1.6']);
});

test('an ExternalName Service answers a CNAME for any type', () => {
  for (const t of ['A', 'AAAA', 'CNAME'] as const) {
    const r = ask('db.default.svc.cluster.local', t);
    assert.deepEqual(r.answers, [{ type: 'CNAME', name: 'db.default.svc.cluster.local', ttl: 5, data: 'db.example.com' }], t);
  }
});

test('a custom cluster domain and TTL apply to answers and the SOA', () => {
  const r = ask('kubernetes.default.svc.k8s.test', 'A', view, { ...cfg, zone: 'k8s.test', ttl: 30 });
  assert.equal((r.answers[0] as { ttl: number }).ttl, 30);
  assert.equal(ask('kubernetes.default.svc.cluster.local', 'A', view, { ...cfg, zone: 'k8s.test' }).rcode, 'REFUSED');
  const neg = ask('x.default.svc.k8s.test', 'A', view, { ...cfg, zone: 'k8s.test', ttl: 30 });
  assert.equal((neg.authorities[0] as { data: SoaData }).data.minimum, 30);
});

test('a non-IN class is REFUSED', () => {
  assert.equal(resolve(view, { name: 'kubernetes.default.svc.cluster.local', type: 'A', class: 'CH' }, cfg).rcode, 'REFUSED');
});
