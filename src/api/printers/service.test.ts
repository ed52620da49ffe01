import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSpec, ServiceStatus } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { endpointSlicePrinter, endpointsPrinter, formatEndpoints, servicePrinter } from './service.js';
import { ingressClassPrinter, ingressPrinter } from './ingress.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

function svc(spec: Loose<ServiceSpec>, status: Loose<ServiceStatus> = {}) {
  return { metadata: { name: 'svc' }, spec, status };
}

// Cases mirror upstream TestPrintService / TestPrintServiceLoadBalancer (server output is always wide).
test('service cells: type, cluster IP, external IP, ports, selector', () => {
  const s = svc({ type: 'ClusterIP', clusterIPs: ['10.9.8.7'], selector: { foo: 'bar', app: 'web' }, ports: [{ protocol: 'TCP', port: 2233 }] });
  assert.deepEqual(servicePrinter.cells(s, NOW), ['svc', 'ClusterIP', '10.9.8.7', '<none>', '2233/TCP', '<unknown>', 'app=web,foo=bar']);
  const nodePort = svc({ type: 'NodePort', clusterIPs: ['10.9.8.7'], ports: [{ protocol: 'TCP', port: 8888, nodePort: 9999 }] });
  assert.deepEqual(servicePrinter.cells(nodePort, NOW).slice(1, 5), ['NodePort', '10.9.8.7', '<none>', '8888:9999/TCP']);
  const headless = svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] });
  assert.deepEqual(servicePrinter.cells(headless, NOW).slice(2, 5), ['None', '<none>', '<none>']);
  const external = svc({ type: 'ClusterIP', clusterIPs: ['10.9.8.7'], externalIPs: ['1.2.3.4', '5.6.7.8'], ports: [{ protocol: 'UDP', port: 53 }] });
  assert.equal(servicePrinter.cells(external, NOW)[3], '1.2.3.4,5.6.7.8');
  const extName = svc({ type: 'ExternalName', externalName: 'my.database.example.com' });
  assert.deepEqual(servicePrinter.cells(extName, NOW).slice(1, 5), ['ExternalName', '<none>', 'my.database.example.com', '<none>']);
});

test('load balancer external IPs: sorted ingress addresses, then externalIPs, or <pending>', () => {
  const ports = [{ port: 80, protocol: 'TCP' }, { port: 8090, protocol: 'UDP' }, { port: 8000, protocol: 'TCP' }, { port: 7777, protocol: 'SCTP' }];
  assert.deepEqual(servicePrinter.cells(svc({ type: 'LoadBalancer', clusterIPs: ['1.3.4.5'], ports }), NOW).slice(3, 5), [
    '<pending>',
    '80/TCP,8090/UDP,8000/TCP,7777/SCTP',
  ]);
  const lb = svc(
    { type: 'LoadBalancer', clusterIPs: ['1.5.6.7'], ports: [{ port: 80, protocol: 'TCP' }] },
    { loadBalancer: { ingress: [{ ip: '3.4.5.6' }, { ip: '2.3.4.5' }, { ip: '5.6.7.8', hostname: 'host5678' }, { hostname: 'lb.example.com' }] } },
  );
  // Never clipped to 16 characters: the server always renders wide.
  assert.equal(servicePrinter.cells(lb, NOW)[3], '2.3.4.5,3.4.5.6,5.6.7.8,lb.example.com');
  const withExternal = svc({ type: 'LoadBalancer', clusterIPs: ['1.5.6.7'], externalIPs: ['9.9.9.9'] }, { loadBalancer: { ingress: [{ ip: '2.3.4.5' }] } });
  assert.equal(servicePrinter.cells(withExternal, NOW)[3], '2.3.4.5,9.9.9.9');
});

test('endpoints: ip:port pairs, headless IPs, `+ N more...` after three', () => {
  assert.equal(formatEndpoints(undefined), '<none>');
  assert.equal(formatEndpoints([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 8080 }] }]), '127.0.0.1:8080');
  assert.equal(formatEndpoints([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] }]), '10.0.0.1,10.0.0.2');
  assert.equal(formatEndpoints([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }]), '[fd00::1]:80');
  const many = [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }, { addresses: [{ ip: '10.0.0.3' }], ports: [{ port: 80 }] }];
  assert.equal(formatEndpoints(many), '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...');
  assert.deepEqual(endpointsPrinter.cells({ metadata: { name: 'web' }, subsets: [{ notReadyAddresses: [{ ip: '10.0.0.9' }], ports: [{ port: 80 }] }] }, NOW), ['web', '', '<unknown>']);
});

test('endpoint slices: ports and addresses lists, <unset> when empty', () => {
  const slice = {
    metadata: { name: 'web-abc' },
    addressType: 'IPv4',
    ports: [{ port: 80 }, { name: 'metrics' }, {}, { port: 9090 }],
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
  };
  assert.deepEqual(endpointSlicePrinter.cells(slice, NOW), ['web-abc', 'IPv4', '80,metrics,* + 1 more...', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '<unknown>']);
  assert.deepEqual(endpointSlicePrinter.cells({ metadata: { name: 'e' }, addressType: 'IPv6' }, NOW).slice(2, 4), ['<unset>', '<unset>']);
});

test('ingress: class, hosts (* when none), address, ports', () => {
  const ing = {
    metadata: { name: 'web' },
    spec: { ingressClassName: 'nginx', rules: [{ host: 'a.com' }, {}, { host: 'b.com' }], tls: [{ hosts: ['a.com'] }] },
    status: { loadBalancer: { ingress: [{ ip: '10.1.1.1' }] } },
  };
  assert.deepEqual(ingressPrinter.cells(ing, NOW), ['web', 'nginx', 'a.com,b.com', '10.1.1.1', '80, 443', '<unknown>']);
  const many = { metadata: { name: 'x' }, spec: { rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }, { host: 'e' }] } };
  assert.deepEqual(ingressPrinter.cells(many, NOW).slice(1, 5), ['<none>', 'a,b,c + 2 more...', '', '80']);
  assert.equal(ingressPrinter.cells({ metadata: { name: 'y' }, spec: {} }, NOW)[2], '*');
  const ic = { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } } };
  assert.deepEqual(ingressClassPrinter.cells(ic, NOW), ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/external-lb', '<unknown>']);
});
