import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, PodSpec } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Loose } from '../loose.js';
import { applyDefaults } from '../defaults/index.js';
import { validate } from './index.js';
import { messages } from '../../testing/validation.js';

type TestPod = { metadata: Loose<ObjectMeta>; spec: Loose<PodSpec> & { containers: Loose<Container>[] } };

const pod = (containers: Loose<Container>[], extra: Loose<PodSpec> = {}): TestPod => ({
  metadata: { name: 'web-0', namespace: 'default' },
  spec: { containers, ...extra },
});

test('a Pod needs containers', () => {
  assert.deepEqual(messages('', 'Pod', pod([])), ['spec.containers: Required value']);
});

test('container names are DNS labels, unique, and images are required', () => {
  assert.deepEqual(messages('', 'Pod', pod([{ name: 'nginx', image: 'nginx' }, { name: 'nginx', image: 'busybox' }])), [
    'spec.containers[1].name: Duplicate value: "nginx"',
  ]);
  assert.deepEqual(messages('', 'Pod', pod([{ name: 'Nginx' }])), [
    `spec.containers[0].name: Invalid value: "Nginx": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    'spec.containers[0].image: Required value',
  ]);
});

test('ports, restart policy and mounts', () => {
  const containers = [
    {
      name: 'zk',
      image: 'zookeeper:3.8',
      ports: [{ containerPort: 70000, name: 'client' }, { containerPort: 2888, name: 'client', protocol: 'ICMP' }],
      volumeMounts: [{ name: 'datadir', mountPath: '/var/lib/zookeeper' }],
    },
  ];
  assert.deepEqual(messages('', 'Pod', pod(containers, { restartPolicy: 'Sometimes' })), [
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[1].name: Duplicate value: "client"',
    'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    'spec.containers[0].volumeMounts[0].name: Not found: "datadir"',
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  ]);
});

test('volumes must be named uniquely and have one source', () => {
  const volumes = [{ name: 'data', emptyDir: {}, hostPath: { path: '/x' } }, { name: 'data', configMap: { name: 'cm' } }];
  // The first volume is rejected, so the second is the only "data" and the mount finds it.
  assert.deepEqual(messages('', 'Pod', pod([{ name: 'c', image: 'x:1', volumeMounts: [{ name: 'data', mountPath: '/d' }] }], { volumes })), [
    'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
  ]);
  const twice = [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }];
  assert.deepEqual(messages('', 'Pod', pod([{ name: 'c', image: 'x:1' }], { volumes: twice })), ['spec.volumes[1].name: Duplicate value: "data"']);
});

test('requests may not exceed limits, and probes need a handler', () => {
  const c = { name: 'c', image: 'x:1', resources: { limits: { cpu: '1' }, requests: { cpu: '2' } }, readinessProbe: { periodSeconds: 5 } };
  assert.deepEqual(messages('', 'Pod', pod([c])), [
    'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    'spec.containers[0].readinessProbe: Required value: must specify a handler type',
  ]);
});

test('tolerations and topology spread constraints', () => {
  const extra = {
    tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 }],
    topologySpreadConstraints: [{ maxSkew: 0, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'Maybe' }],
  };
  assert.deepEqual(messages('', 'Pod', pod([{ name: 'c', image: 'x:1' }], extra)), [
    'spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
    'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"',
    "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
  ]);
});

test('Pod updates may change images, but not other fields', () => {
  const old = pod([{ name: 'c', image: 'nginx:1.24' }]);
  applyDefaults('', 'Pod', old);
  const newImage = structuredClone(old);
  newImage.spec.containers[0].image = 'nginx:1.25';
  assert.deepEqual(validate('', 'Pod', newImage, old), []);

  const moved = structuredClone(old);
  moved.spec.nodeName = 'node-2';
  const [err] = validate('', 'Pod', moved, old);
  assert.equal(err.field, 'spec');
  assert.ok(
    err.message.startsWith(
      'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
    ),
    err.message,
  );
  assert.match(err.message, /\+ \tnodeName: "node-2"/);

  const added = structuredClone(old);
  added.spec.containers.push({ name: 'd', image: 'busybox:1', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' });
  assert.deepEqual(messages('', 'Pod', added, old), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
});

test('bad Pod names and finalizers', () => {
  const p = pod([{ name: 'c', image: 'x:1' }]);
  p.metadata.name = 'web_0';
  p.metadata.finalizers = ['cleanup'];
  p.metadata.labels = { 'app/x/y': 'a' };
  assert.deepEqual(messages('', 'Pod', p), [
    `metadata.name: Invalid value: "web_0": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    `metadata.labels: Invalid value: "app/x/y": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    'metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  const unnamed = pod([{ name: 'c', image: 'x:1' }]);
  delete unnamed.metadata.name;
  assert.deepEqual(messages('', 'Pod', unnamed), ['metadata.name: Required value: name or generateName is required']);
});
