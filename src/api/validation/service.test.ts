import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults } from '../defaults/index.js';
import { messages } from '../../testing/validation.js';

const service = (spec: Record<string, unknown>, name = 'nginx') => ({ metadata: { name, namespace: 'default' }, spec });

test('Service names are DNS-1035 labels', () => {
  assert.deepEqual(messages('', 'Service', service({ ports: [{ port: 80 }] }, '1nginx')), [
    `metadata.name: Invalid value: "1nginx": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
  ]);
});

test('ports are required unless the Service is headless', () => {
  assert.deepEqual(messages('', 'Service', service({ selector: { app: 'nginx' } })), ['spec.ports: Required value']);
  assert.deepEqual(messages('', 'Service', service({ clusterIP: 'None', selector: { app: 'nginx' } })), []);
});

test('port range, names and duplicates', () => {
  const spec = { ports: [{ port: 0, name: 'web' }, { port: 80, name: 'web' }, { port: 80, name: 'other' }] };
  assert.deepEqual(messages('', 'Service', service(spec)), [
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[1].name: Duplicate value: "web"',
    'spec.ports[2]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  ]);
  assert.deepEqual(messages('', 'Service', service({ ports: [{ port: 80 }, { port: 81 }], type: 'Magic' })), [
    'spec.ports[0].name: Required value',
    'spec.ports[1].name: Required value',
    'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
});

test('clusterIP may not change, and an omitted one is kept', () => {
  const old = service({ ports: [{ port: 80 }], clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] });
  applyDefaults('', 'Service', old);
  const moved = structuredClone(old);
  moved.spec.clusterIP = '10.96.0.11';
  moved.spec.clusterIPs = ['10.96.0.11'];
  assert.deepEqual(messages('', 'Service', moved, old), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
  const omitted = structuredClone(old);
  delete omitted.spec.clusterIP;
  delete omitted.spec.clusterIPs;
  assert.deepEqual(messages('', 'Service', omitted, old), []);
});

test('EndpointSlices', () => {
  const slice = {
    metadata: { name: 'nginx-abc', namespace: 'default' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.300'], hostname: 'web-0' }, { addresses: [] }],
    ports: [{ port: 80, protocol: 'ICMP' }],
  };
  assert.deepEqual(messages('discovery.k8s.io', 'EndpointSlice', slice), [
    'endpoints[0].addresses[0]: Invalid value: "10.0.0.300": must be a valid IPv4 address',
    'endpoints[1].addresses: Required value: must contain at least 1 address',
    'ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
  ]);
});
