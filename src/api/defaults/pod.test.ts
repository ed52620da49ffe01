import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { applyDefaults } from './index.js';

test('a Pod gets PodSpec, container and probe defaults plus enableServiceLinks', () => {
  const pod: Loose<Pod> = {
    metadata: { name: 'p' },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'registry.local:5000/app',
          readinessProbe: { httpGet: { port: 8080 } },
          livenessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
          env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        },
      ],
    },
  };
  applyDefaults('', 'Pod', pod);
  const c = pod.spec?.containers?.[0];
  assert.equal(c?.imagePullPolicy, 'Always', 'a registry port is not a tag');
  assert.deepEqual(c?.readinessProbe, { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c?.livenessProbe?.periodSeconds, 5);
  assert.equal(c?.env?.[0]?.valueFrom?.fieldRef?.apiVersion, 'v1');
  assert.equal(pod.spec?.enableServiceLinks, true);
  assert.equal(pod.spec?.terminationGracePeriodSeconds, 30);
});

test('image pull policy follows the tag', () => {
  const pullPolicy = (image: string) => {
    const pod: Loose<Pod> = { spec: { containers: [{ name: 'c', image }] } };
    applyDefaults('', 'Pod', pod);
    return pod.spec?.containers?.[0]?.imagePullPolicy;
  };
  assert.equal(pullPolicy('nginx'), 'Always');
  assert.equal(pullPolicy('nginx:latest'), 'Always');
  assert.equal(pullPolicy('nginx:1.25'), 'IfNotPresent');
  assert.equal(pullPolicy('nginx@sha256:abcd'), 'IfNotPresent');
});

test('Pod limits become requests and quantities are canonical', () => {
  const pod = { spec: { containers: [{ name: 'c', image: 'x:1', resources: { limits: { cpu: '0.5', memory: '1024Mi' }, requests: { cpu: 0.25 } } }] } };
  applyDefaults('', 'Pod', pod);
  assert.deepEqual(pod.spec?.containers?.[0]?.resources, { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '250m', memory: '1Gi' } });
});

test('volumes default their source and file modes', () => {
  const pod = {
    spec: {
      containers: [],
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'zk' } }, { name: 'host', hostPath: { path: '/data' } }],
    },
  };
  applyDefaults('', 'Pod', pod);
  assert.deepEqual(pod.spec?.volumes, [
    { name: 'scratch', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'zk', defaultMode: 420 } },
    { name: 'host', hostPath: { path: '/data', type: '' } },
  ]);
});

test('hostNetwork Pods get hostPorts equal to their containerPorts', () => {
  const pod = { spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 53 }] }] } };
  applyDefaults('', 'Pod', pod);
  assert.deepEqual(pod.spec?.containers?.[0]?.ports, [{ containerPort: 53, hostPort: 53, protocol: 'TCP' }]);
});
