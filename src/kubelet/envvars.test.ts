import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { containerEnv, expandCommand, serviceEnvName, serviceLinkVars, type ContainerEnvInput } from './envvars.js';

const svc = (namespace: string, name: string, clusterIP: string, ports: Array<{ name?: string; port: number; protocol?: string }>): Service => ({
  metadata: { namespace, name },
  spec: { clusterIP, ports },
});

const kubernetes = svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]);
const redis = svc('default', 'redis-master', '10.0.0.11', [{ port: 6379, protocol: 'TCP' }]);
const other = svc('other', 'redis-master', '10.0.0.99', [{ port: 6379 }]);
const headless = svc('default', 'nginx', 'None', [{ name: 'web', port: 80 }]);

const cm: ConfigMap = { metadata: { namespace: 'default', name: 'cfg' }, data: { LOG_LEVEL: 'debug', '1badkey': 'x', 'app.properties': 'a=b' } };
const sec: Secret = { metadata: { namespace: 'default', name: 'creds' }, data: { password: Buffer.from('s3cret').toString('base64') } };

function run(container: Partial<Container>, pod: Partial<Pod['spec']> = {}, extra: Partial<ContainerEnvInput> = {}) {
  const c: Container = { name: 'c', image: 'busybox', ...container };
  const p: Pod = {
    metadata: { name: 'web-0', namespace: 'default', uid: 'uid-1', labels: { app: 'web' } },
    spec: { containers: [c], nodeName: 'node-1', serviceAccountName: 'default', ...pod },
    status: { podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], hostIP: '192.168.1.10' },
  };
  return containerEnv({
    pod: p,
    container: c,
    services: [kubernetes, redis, other, headless],
    getConfigMap: (ns, n) => (ns === 'default' && n === 'cfg' ? cm : undefined),
    getSecret: (ns, n) => (ns === 'default' && n === 'creds' ? sec : undefined),
    nodeAllocatable: { cpu: '2', memory: '4Gi' },
    ...extra,
  });
}

const asMap = (env: Array<{ name: string; value: string }>) => Object.fromEntries(env.map((e) => [e.name, e.value]));

test('service env for redis-master:6379 matches the documented docker-link variables', () => {
  assert.deepEqual(asMap(serviceLinkVars([redis])), {
    REDIS_MASTER_SERVICE_HOST: '10.0.0.11',
    REDIS_MASTER_SERVICE_PORT: '6379',
    REDIS_MASTER_PORT: 'tcp://10.0.0.11:6379',
    REDIS_MASTER_PORT_6379_TCP: 'tcp://10.0.0.11:6379',
    REDIS_MASTER_PORT_6379_TCP_PROTO: 'tcp',
    REDIS_MASTER_PORT_6379_TCP_PORT: '6379',
    REDIS_MASTER_PORT_6379_TCP_ADDR: '10.0.0.11',
  });
});

test('named ports, UDP and name transform (envvars_test)', () => {
  const dns = svc('ns', 'kube-dns.v1', '10.96.0.10', [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }]);
  const m = asMap(serviceLinkVars([dns]));
  assert.equal(m.KUBE_DNS_V1_SERVICE_PORT, '53');
  assert.equal(m.KUBE_DNS_V1_SERVICE_PORT_DNS, '53');
  assert.equal(m.KUBE_DNS_V1_SERVICE_PORT_DNS_TCP, '53');
  assert.equal(m.KUBE_DNS_V1_PORT, 'udp://10.96.0.10:53');
  assert.equal(m.KUBE_DNS_V1_PORT_53_UDP_PROTO, 'udp');
  assert.equal(m.KUBE_DNS_V1_PORT_53_TCP, 'tcp://10.96.0.10:53');
  assert.equal(serviceEnvName('1st-svc'), '_1ST_SVC');
});

test('service links: same namespace ClusterIP services plus default/kubernetes, first', () => {
  const { env, errors } = run({ env: [{ name: 'A', value: '1' }] });
  assert.deepEqual(errors, []);
  const m = asMap(env);
  assert.equal(m.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  assert.equal(m.KUBERNETES_SERVICE_PORT, '443');
  assert.equal(m.KUBERNETES_SERVICE_PORT_HTTPS, '443');
  assert.equal(m.KUBERNETES_PORT, 'tcp://10.96.0.1:443');
  assert.equal(m.KUBERNETES_PORT_443_TCP_ADDR, '10.96.0.1');
  assert.equal(m.REDIS_MASTER_SERVICE_HOST, '10.0.0.11');
  assert.equal(m.NGINX_SERVICE_HOST, undefined, 'headless services have no links');
  assert.equal(env.at(-1)!.name, 'A');
});

test('enableServiceLinks: false keeps only the kubernetes service; other namespaces see only kubernetes', () => {
  const m = asMap(run({}, { enableServiceLinks: false }).env);
  assert.equal(m.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  assert.equal(m.REDIS_MASTER_SERVICE_HOST, undefined);
});

test('envFrom with prefix and invalid keys skipped with the kubelet event text', () => {
  const r = run({ envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'DB_', secretRef: { name: 'creds' } }] });
  const m = asMap(r.env);
  assert.equal(m.LOG_LEVEL, 'debug');
  assert.equal(m['app.properties'], 'a=b');
  assert.equal(m.DB_password, 's3cret');
  assert.equal(m['1badkey'], undefined);
  assert.deepEqual(r.warnings, ['Keys [1badkey] from the EnvFrom configMap default/cfg were skipped since they are considered invalid environment variable names.']);
});

test('envFrom of a missing object fails unless optional', () => {
  assert.deepEqual(run({ envFrom: [{ configMapRef: { name: 'nope' } }] }).errors, ['configmap "nope" not found']);
  assert.deepEqual(run({ envFrom: [{ secretRef: { name: 'nope', optional: true } }] }).errors, []);
});

test('env expands against earlier vars and service vars, and overrides envFrom', () => {
  const { env } = run({
    envFrom: [{ configMapRef: { name: 'cfg' } }],
    env: [
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'BIND', value: '-b $(POD_IP)' },
      { name: 'REDIS', value: '$(REDIS_MASTER_SERVICE_HOST):$(REDIS_MASTER_SERVICE_PORT)' },
      { name: 'LATER', value: '$(DEFINED_AFTER)' },
      { name: 'DEFINED_AFTER', value: 'x' },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'ESC', value: '$$(POD_IP)' },
    ],
  });
  const m = asMap(env);
  assert.equal(m.BIND, '-b 10.244.0.5');
  assert.equal(m.REDIS, '10.0.0.11:6379');
  assert.equal(m.LATER, '$(DEFINED_AFTER)');
  assert.equal(m.LOG_LEVEL, 'info');
  assert.equal(m.ESC, '$(POD_IP)');
});

test('valueFrom: fieldRef, resourceFieldRef with node allocatable, configMap and secret keys', () => {
  const { env, errors } = run({
    resources: { requests: { memory: '64Mi' } },
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } } },
      { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'LOG_LEVEL' } } },
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'missing', optional: true } } },
    ],
  });
  assert.deepEqual(errors, []);
  const m = asMap(env);
  assert.deepEqual(
    [m.POD_NAME, m.APP, m.NODE, m.HOST_IP, m.CPU, m.MEM_MI, m.LEVEL, m.PASS],
    ['web-0', 'web', 'node-1', '192.168.1.10', '2', '64', 'debug', 's3cret'],
  );
  assert.equal('OPT' in m, false);
});

test('missing keys and objects give the kubelet messages', () => {
  const { errors } = run({
    env: [
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey' } } },
      { name: 'B', valueFrom: { secretKeyRef: { name: 'creds', key: 'nokey' } } },
      { name: 'C', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } },
      { name: 'D', valueFrom: { secretKeyRef: { name: 'absent', key: 'k' } } },
    ],
  });
  assert.deepEqual(errors, [
    "couldn't find key nokey in ConfigMap default/cfg",
    "couldn't find key nokey in Secret default/creds",
    'configmap "absent" not found',
    'secret "absent" not found',
  ]);
});

test('expandCommand substitutes $(VAR) in command and args', () => {
  const env = [{ name: 'POD_NAME', value: 'mc-0' }, { name: 'POD_IP', value: '10.244.0.7' }];
  assert.deepEqual(expandCommand(['/opt/jboss/bin/standalone.sh', '-b', '$(POD_IP)', '$(POD_NAME).mc.default.svc.cluster.local:11211', '$(NOPE)', '$$(POD_IP)'], env), [
    '/opt/jboss/bin/standalone.sh',
    '-b',
    '10.244.0.7',
    'mc-0.mc.default.svc.cluster.local:11211',
    '$(NOPE)',
    '$(POD_IP)',
  ]);
  assert.deepEqual(expandCommand(undefined, env), []);
});
