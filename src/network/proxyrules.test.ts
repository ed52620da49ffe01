import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { command, hasProgram } from './command.js';
import { buildRuleset, renderRuleset, servicePorts, usableEndpoints, type RulesetOptions } from './proxyrules.js';

const opts: RulesetOptions = { localAddresses: new Set(['192.0.2.2', '10.96.0.10', '10.244.0.1']), podCIDRs: ['10.244.0.0/16'], podInterfaces: 'k8ts-br*' };

function svc(name: string, spec: Service['spec'], status?: Service['status']): Service {
  return { metadata: { namespace: 'default', name }, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec }, ...(status ? { status } : {}) };
}

function slice(service: string, endpoints: Endpoint[], ports: EndpointSlice['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): EndpointSlice {
  return { metadata: { namespace: 'default', name: `${service}-abc`, labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', ports, endpoints };
}

const ep = (ip: string, conditions: Endpoint['conditions'] = {}): Endpoint => ({ addresses: [ip], conditions });
const lines = (text: string): string[] => text.split('\n');

describe('usableEndpoints', () => {
  const port = { name: 'http', port: 80, protocol: 'TCP' };
  const any = (): boolean => true;

  it('takes ready endpoints, counting a missing ready condition as ready', () => {
    const got = usableEndpoints([slice('web', [ep('10.244.0.12', { ready: true }), ep('10.244.0.11'), ep('10.244.0.13', { ready: false })])], port, any);
    assert.deepEqual(got, [
      { ip: '10.244.0.11', port: 8080 },
      { ip: '10.244.0.12', port: 8080 },
    ]);
  });

  it('falls back to serving terminating endpoints only when none is ready', () => {
    const terminating = [ep('10.244.0.11', { ready: false, serving: true, terminating: true }), ep('10.244.0.12', { ready: false, serving: false, terminating: true }), ep('10.244.0.13', { ready: false, serving: true })];
    assert.deepEqual(usableEndpoints([slice('web', terminating)], port, any), [{ ip: '10.244.0.11', port: 8080 }]);
    assert.deepEqual(usableEndpoints([slice('web', [...terminating, ep('10.244.0.14')])], port, any), [{ ip: '10.244.0.14', port: 8080 }]);
  });

  it('resolves the target port from the slice port of the same name and protocol', () => {
    const ports = [
      { name: 'metrics', port: 9090, protocol: 'TCP' },
      { name: 'http', port: 8080, protocol: 'UDP' },
      { name: 'http', port: 8443, protocol: 'TCP' },
    ];
    assert.deepEqual(usableEndpoints([slice('web', [ep('10.244.0.11')], ports)], port, any), [{ ip: '10.244.0.11', port: 8443 }]);
    assert.deepEqual(usableEndpoints([slice('web', [ep('10.244.0.11')], [{ port: 8080 }])], { port: 80 }, any), [{ ip: '10.244.0.11', port: 8080 }]);
    assert.deepEqual(usableEndpoints([slice('web', [ep('10.244.0.11')], [{ port: 8080 }])], port, any), []);
  });

  it('deduplicates an address listed in two slices and skips IPv6 slices', () => {
    const v6: EndpointSlice = { ...slice('web', [{ addresses: ['fd00::5'] }]), addressType: 'IPv6' };
    assert.deepEqual(usableEndpoints([slice('web', [ep('10.244.0.11')]), slice('web', [ep('10.244.0.11')]), v6], port, any), [{ ip: '10.244.0.11', port: 8080 }]);
  });
});

describe('servicePorts', () => {
  it('skips headless and ExternalName Services and ClusterIPs that are local addresses', () => {
    const got = servicePorts(
      [svc('headless', { clusterIP: 'None' }), svc('ext', { type: 'ExternalName', externalName: 'example.com' }), svc('kube-dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }), svc('web', { clusterIP: '10.96.0.50' })],
      [],
      opts,
    );
    assert.deepEqual(
      got.map((p) => [p.name, p.addresses]),
      [['default/web:http', ['10.96.0.50']]],
    );
  });

  it('ignores a nodePort on a ClusterIP Service and keeps NodePort and LoadBalancer addresses', () => {
    const got = servicePorts(
      [
        svc('a', { clusterIP: '10.96.0.51', ports: [{ port: 80, nodePort: 30001 }] }),
        svc('b', { type: 'NodePort', clusterIP: '10.96.0.52', ports: [{ port: 80, nodePort: 30002 }] }),
        svc('c', { type: 'LoadBalancer', clusterIP: '10.96.0.53', externalIPs: ['10.99.0.1'], ports: [{ port: 80, nodePort: 30003 }] }, { loadBalancer: { ingress: [{ ip: '127.0.0.100' }, { hostname: 'lb.example' }] } }),
      ],
      [],
      opts,
    );
    assert.deepEqual(
      got.map((p) => [p.name, p.addresses, p.nodePort]),
      [
        ['default/a:', ['10.96.0.51'], undefined],
        ['default/b:', ['10.96.0.52'], 30002],
        ['default/c:', ['10.96.0.53', '10.99.0.1', '127.0.0.100'], 30003],
      ],
    );
  });

  it('leaves out endpoints that are neither pods nor this machine', () => {
    const got = servicePorts([svc('web', { clusterIP: '10.96.0.50' })], [slice('web', [ep('10.244.3.4'), ep('192.0.2.2'), ep('8.8.8.8')])], opts);
    assert.deepEqual(
      got[0].endpoints.map((e) => e.ip),
      ['10.244.3.4', '192.0.2.2'],
    );
  });

  it('defaults the ClientIP affinity timeout to 10800 seconds', () => {
    const [p] = servicePorts([svc('web', { clusterIP: '10.96.0.50', sessionAffinity: 'ClientIP' })], [slice('web', [ep('10.244.0.11')])], opts);
    assert.equal(p.affinityTimeout, 10800);
    assert.match(p.endpoints[0].affinitySet!, /^affinity-[A-Z2-7]{8}-default\/web\/tcp\/http__10\.244\.0\.11\/8080$/);
  });
});

describe('buildRuleset', () => {
  it('sends a service address to a service chain that picks an endpoint at random and DNATs', () => {
    const text = buildRuleset('k8ts-proxy', [svc('web', { clusterIP: '10.96.0.50' })], [slice('web', [ep('10.244.0.11'), ep('10.244.0.12')])], opts);
    const l = lines(text);
    assert.equal(l[0], 'add table ip k8ts-proxy');
    assert.ok(l.includes('delete table ip k8ts-proxy'), 'a first load recreates the table');
    const svcChain = text.match(/goto (service-[A-Z2-7]{8}-default\/web\/tcp\/http)/)![1];
    assert.ok(l.includes(`add element ip k8ts-proxy service-ips { 10.96.0.50 . tcp . 80 : goto ${svcChain} }`));
    const vmap = l.find((x) => x.startsWith(`add rule ip k8ts-proxy ${svcChain} numgen random mod 2 vmap`))!;
    const eps = [...vmap.matchAll(/goto (endpoint-[^\s,]+)/g)].map((m) => m[1]);
    assert.equal(eps.length, 2);
    assert.ok(eps[0].endsWith('__10.244.0.11/8080') && eps[1].endsWith('__10.244.0.12/8080'));
    assert.ok(l.includes(`add rule ip k8ts-proxy ${eps[0]} ip saddr 10.244.0.11 jump mark-for-masquerade`), 'hairpin is masqueraded');
    assert.ok(l.includes(`add rule ip k8ts-proxy ${eps[0]} meta l4proto tcp dnat to 10.244.0.11:8080`));
    assert.ok(l.includes(`add rule ip k8ts-proxy ${svcChain} fib saddr type local jump mark-for-masquerade`), 'host traffic is masqueraded');
    assert.ok(l.includes('add rule ip k8ts-proxy masquerading oifname "k8ts-br*" masquerade fully-random'), 'masquerade only towards the pod bridges');
    assert.ok(l.includes('add rule ip k8ts-proxy nat-prerouting iifname "k8ts-br*" jump services'));
    assert.ok(l.includes('add chain ip k8ts-proxy nat-output { type nat hook output priority -100; policy accept; }'));
  });

  it('rejects service addresses and node ports without endpoints', () => {
    const text = buildRuleset('t', [svc('web', { type: 'NodePort', clusterIP: '10.96.0.50', ports: [{ port: 80, nodePort: 30080 }] })], [slice('web', [ep('10.244.0.11', { ready: false })], [{ port: 8080 }])], opts);
    const l = lines(text);
    assert.ok(l.includes('add element ip t no-endpoint-services { 10.96.0.50 . tcp . 80 : goto reject-chain }'));
    assert.ok(l.includes('add element ip t no-endpoint-nodeports { tcp . 30080 : goto reject-chain }'));
    assert.ok(!text.includes('service-ips {  }') && !text.includes('add element ip t service-ips'));
    assert.ok(l.includes('add rule ip t reject-chain reject'));
  });

  it('keeps a client on its endpoint with one timeout set per endpoint', () => {
    const s = svc('web', { clusterIP: '10.96.0.50', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
    const text = buildRuleset('t', [s], [slice('web', [ep('10.244.0.11'), ep('10.244.0.12')])], opts);
    const sets = [...text.matchAll(/add set ip t (\S+) \{ type ipv4_addr; flags dynamic,timeout; timeout 60s; \}/g)].map((m) => m[1]);
    assert.equal(sets.length, 2);
    const l = lines(text);
    const check = l.findIndex((x) => x.includes(`ip saddr @${sets[0]} goto endpoint-`));
    const pick = l.findIndex((x) => x.includes('numgen random mod 2'));
    assert.ok(check >= 0 && check < pick, 'the affinity lookup comes before the random pick');
    assert.ok(l.some((x) => x.endsWith(`update @${sets[1]} { ip saddr }`)));
  });

  it('updates in place: unchanged chains are left alone, stale chains and sets deleted, affinity sets kept', () => {
    const services = [svc('web', { clusterIP: '10.96.0.50', sessionAffinity: 'ClientIP' }), svc('api', { clusterIP: '10.96.0.60' })];
    const slices = [slice('web', [ep('10.244.0.11'), ep('10.244.0.12')]), slice('api', [ep('10.244.0.21')])];
    const first = renderRuleset('t', servicePorts(services, slices, opts), opts);
    const same = renderRuleset('t', servicePorts(services, slices, opts), { ...opts, previous: first.loaded });
    assert.ok(!same.text.includes('delete table') && !same.text.includes('add rule') && !same.text.includes('add set'), same.text);
    assert.ok(same.text.includes('flush map ip t service-ips') && same.text.includes('add element ip t service-ips'));

    const fewer = renderRuleset('t', servicePorts(services, [slice('web', [ep('10.244.0.12')]), slices[1]], opts), { ...opts, previous: first.loaded });
    const l = lines(fewer.text);
    assert.equal(l.filter((x) => x.startsWith('delete chain')).length, 1);
    assert.match(l.find((x) => x.startsWith('delete chain'))!, /^delete chain ip t endpoint-\S+__10\.244\.0\.11\/8080$/);
    assert.match(l.find((x) => x.startsWith('delete set'))!, /^delete set ip t affinity-\S+__10\.244\.0\.11\/8080$/);
    assert.ok(!l.some((x) => x.startsWith('flush set')), 'the kept endpoint remembers its clients');
    assert.ok(!l.some((x) => /^(add|flush) (chain|rule) .*default\/api\//.test(x)), 'the untouched Service is not rewritten');
  });

  it('is accepted by nft 1.0.6 for 1000 services, first and incremental (root only, in a private netns)', async (t) => {
    if (process.getuid?.() !== 0 || !(await hasProgram('nft'))) return t.skip('needs root and nft');
    const services: Service[] = [];
    const slices: EndpointSlice[] = [];
    for (let i = 0; i < 1000; i++) {
      services.push(svc(`s${i}`, { type: i % 3 ? 'ClusterIP' : 'NodePort', clusterIP: `10.96.${100 + (i >> 8)}.${i & 255}`, ports: [{ name: 'http', port: 80, nodePort: 30000 + i }], ...(i % 7 ? {} : { sessionAffinity: 'ClientIP' }) }));
      slices.push(slice(`s${i}`, i % 50 ? [ep(`10.244.0.${(i % 250) + 2}`), ep(`10.244.1.${(i % 250) + 2}`)] : []));
    }
    const first = renderRuleset('t', servicePorts(services, slices, opts), opts);
    const next = renderRuleset('t', servicePorts(services.slice(0, 900), slices.slice(1), opts), { ...opts, previous: first.loaded });
    const script = `nft -f "$1" && nft -f "$2" && nft list table ip t | grep -c '^\tchain '`;
    const dir = await mkdtemp('/tmp/proxyrules-');
    try {
      await writeFile(`${dir}/a.nft`, first.text);
      await writeFile(`${dir}/b.nft`, next.text);
      const out = await command(['unshare', '--net', 'sh', '-c', script, 'sh', `${dir}/a.nft`, `${dir}/b.nft`]);
      assert.equal(Number(out.trim()), next.loaded.chains.size);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
