import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { formatResolvConf, parseResolvConf, podDNS } from './resolvconf.js';

const host = '# generated\nnameserver 192.168.1.1\nnameserver 8.8.8.8\nsearch corp.example.com. lab.example.com\noptions edns0 timeout:2\n';
const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({ metadata: { name: 'web-0', namespace: 'default', uid: 'u' }, spec: { containers: [], ...spec } });
const input = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', hostResolvConf: host };

test('parseResolvConf: nameservers accumulate, last search wins, trailing dots dropped', () => {
  const r = parseResolvConf('nameserver 1.1.1.1\nsearch a.com\nsearch b.com. c.com\nnameserver\n  # x\nnameserver 2.2.2.2\noptions ndots:2\n');
  assert.deepEqual(r.nameservers, ['1.1.1.1', '2.2.2.2']);
  assert.deepEqual(r.searches, ['b.com', 'c.com']);
  assert.deepEqual(r.options, ['ndots:2']);
  assert.deepEqual(r.errors, ['nameserver list is empty ']);
});

test('ClusterFirst without host search domains writes the seed-001 file', () => {
  const { config } = podDNS(pod(), { ...input, hostResolvConf: 'nameserver 192.168.1.1\n' });
  assert.equal(formatResolvConf(config), 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
});

test('ClusterFirst appends host search domains and drops host nameservers and options', () => {
  const { config } = podDNS(pod({ dnsPolicy: 'ClusterFirst' }), input);
  assert.deepEqual(config, {
    nameservers: ['10.96.0.10'],
    searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example.com', 'lab.example.com'],
    options: ['ndots:5'],
  });
});

test('hostNetwork: ClusterFirst falls back to Default, ClusterFirstWithHostNet keeps cluster DNS', () => {
  assert.deepEqual(podDNS(pod({ hostNetwork: true }), input).config.nameservers, ['192.168.1.1', '8.8.8.8']);
  assert.deepEqual(podDNS(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), input).config.nameservers, ['10.96.0.10']);
  assert.deepEqual(podDNS(pod({ dnsPolicy: 'Default' }), input).config, {
    nameservers: ['192.168.1.1', '8.8.8.8'],
    searches: ['corp.example.com', 'lab.example.com'],
    options: ['edns0', 'timeout:2'],
  });
});

test('None uses only dnsConfig; dnsConfig merges into ClusterFirst with options by name', () => {
  const none = podDNS(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['ns1.svc.cluster-domain.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), input);
  assert.equal(formatResolvConf(none.config), 'search ns1.svc.cluster-domain.example\nnameserver 1.2.3.4\noptions ndots:2 edns0\n');
  const merged = podDNS(pod({ dnsConfig: { nameservers: ['10.96.0.10', '1.1.1.1'], searches: ['cluster.local', 'x.example'], options: [{ name: 'ndots', value: '1' }] } }), input);
  assert.deepEqual(merged.config.nameservers, ['10.96.0.10', '1.1.1.1']);
  assert.deepEqual(merged.config.searches.slice(-1), ['x.example']);
  assert.deepEqual(merged.config.options, ['ndots:1']);
});

test('limits: 3 nameservers, 32 search paths, with DNSConfigForming events', () => {
  const searches = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
  const { config, events } = podDNS(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'], searches } }), input);
  assert.deepEqual(config.nameservers, ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
  assert.equal(config.searches.length, 32);
  assert.deepEqual(events.map((e) => e.reason), ['DNSConfigForming', 'DNSConfigForming']);
  assert.equal(events[0].message, 'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 1.1.1.1 2.2.2.2 3.3.3.3');
  assert.match(events[1].message, /^Search Line limits were exceeded, some search paths have been omitted, the applied search line is: d0.example d1.example /);
});

test('search line over 2048 characters is cut from the end; paths over 253 characters are dropped', () => {
  const long = Array.from({ length: 10 }, (_, i) => `${String(i)}${'a'.repeat(249)}.com`); // 254 chars each: dropped
  const ok = Array.from({ length: 10 }, (_, i) => `${String(i)}${'b'.repeat(248)}.com`); // 253 chars each
  const { config } = podDNS(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: [...long, ...ok] } }), input);
  assert.equal(config.searches.length, 8);
  assert.ok(config.searches.join(' ').length <= 2048);
});

test('no cluster DNS: MissingClusterDNS event and the host configuration', () => {
  const { config, events } = podDNS(pod(), { ...input, clusterDNS: [] });
  assert.deepEqual(config.nameservers, ['192.168.1.1', '8.8.8.8']);
  assert.equal(events[0].reason, 'MissingClusterDNS');
  assert.match(events[0].message, /kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy\. Falling back to "Default" policy\.$/);
});
