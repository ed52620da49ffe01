// Bodies encoded here with protobufjs from the vendored schema, field by field as gogo writes them: every
// Go value field present (zero or not), pointers only when set. The expected objects are the JSON that Go's
// encoding/json gives the same Go structs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import protobuf from 'protobufjs';
import { StatusError } from '../../machinery/errors.js';
import { decodeObject } from '../negotiation.js';
import { decodeProtobufObject } from './decode.js';
import { SCHEMA_FILES } from './schema.js';

const MAGIC = Buffer.from('k8s\0', 'latin1');

function schemaRoot(): protobuf.Root {
  const root = new protobuf.Root();
  for (const file of SCHEMA_FILES) {
    const ns = root.define(file.package);
    for (const [name, fields] of Object.entries(file.messages)) {
      const type = new protobuf.Type(name);
      for (const [no, field, t, mode] of fields as Array<[number, string, string, string?]>) {
        const ref = (x: string) => (x.includes('.') ? `.${x}` : x);
        const map = /^map<(\w+),([\w.]+)>$/.exec(t);
        type.add(map ? new protobuf.MapField(field, no, map[1], ref(map[2])) : new protobuf.Field(field, no, ref(t), mode === 'repeated' ? 'repeated' : 'optional'));
      }
      ns.add(type);
    }
  }
  root.resolveAll();
  return root;
}

const root = schemaRoot();

function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  return Buffer.concat([MAGIC, unknown.encode({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' }).finish()]);
}

function encode(apiVersion: string, kind: string, type: string, obj: object): Buffer {
  return envelope(apiVersion, kind, root.lookupType(type).encode(obj).finish());
}

const CORE = 'k8s.io.api.core.v1';
const emptyMeta = (name: string) => ({ name, generateName: '', namespace: '', selfLink: '', uid: '', resourceVersion: '', generation: 0, creationTimestamp: {} });
const intOrString = (v: number | string) => (typeof v === 'number' ? { type: 0, intVal: v, strVal: '' } : { type: 1, intVal: 0, strVal: v });

function rejects(body: Buffer, message: string | RegExp): void {
  assert.throws(() => decodeProtobufObject(body), (e: unknown) => {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${e}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('a pod keeps set pointers, inlines embedded structs and drops omitempty zero values', () => {
  const container = {
    name: 'app', image: 'nginx', workingDir: '', terminationMessagePath: '', imagePullPolicy: '', stdin: false, stdinOnce: false, tty: false,
    ports: [{ name: '', hostPort: 0, containerPort: 80, protocol: 'TCP', hostIP: '' }],
    env: [{ name: 'MODE', value: '', valueFrom: { configMapKeyRef: { localObjectReference: { name: 'cfg' }, key: 'mode' } } }],
    resources: { requests: { cpu: { string: '100m' }, memory: { string: '64Mi' } } },
    livenessProbe: { handler: { httpGet: { path: '/healthz', port: intOrString(8080), host: '', scheme: 'HTTP' } }, initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { handler: { tcpSocket: { port: intOrString('http'), host: '' } }, initialDelaySeconds: -5, timeoutSeconds: 0, periodSeconds: 0, successThreshold: 0, failureThreshold: 0 },
    securityContext: { runAsUser: 0, privileged: false },
  };
  const pod = {
    metadata: {
      ...emptyMeta('web-0'), namespace: 'default', generation: 0, deletionTimestamp: { seconds: 1704067200, nanos: 5 }, deletionGracePeriodSeconds: 30,
      labels: { app: 'web', empty: '' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true }],
    },
    spec: {
      volumes: [
        { name: 'cache', volumeSource: { emptyDir: { medium: '' } } },
        { name: 'conf', volumeSource: { configMap: { localObjectReference: { name: 'cfg' }, defaultMode: 420 } } },
      ],
      containers: [container], restartPolicy: 'Always', terminationGracePeriodSeconds: 0, activeDeadlineSeconds: 5_000_000_000, dnsPolicy: '',
      serviceAccountName: '', serviceAccount: '', nodeName: '', hostNetwork: false, hostPID: false, hostIPC: false, hostname: 'web-0', subdomain: 'web',
      securityContext: { supplementalGroups: [1000, 2000], fsGroup: 2000 },
    },
    status: {},
  };
  assert.deepEqual(decodeProtobufObject(encode('v1', 'Pod', `${CORE}.Pod`, pod)), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-0', namespace: 'default', deletionTimestamp: '2024-01-01T00:00:00Z', deletionGracePeriodSeconds: 30, labels: { app: 'web', empty: '' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true }],
    },
    spec: {
      volumes: [{ name: 'cache', emptyDir: {} }, { name: 'conf', configMap: { name: 'cfg', defaultMode: 420 } }],
      containers: [{
        name: 'app', image: 'nginx',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } }],
        resources: { requests: { cpu: '100m', memory: '64Mi' } },
        livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
        readinessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: -5 },
        securityContext: { runAsUser: 0, privileged: false },
      }],
      restartPolicy: 'Always', terminationGracePeriodSeconds: 0, activeDeadlineSeconds: 5_000_000_000, hostname: 'web-0', subdomain: 'web',
      securityContext: { supplementalGroups: [1000, 2000], fsGroup: 2000 },
    },
    status: {},
  });
});

test('packed repeated integers decode like unpacked ones', () => {
  const W = protobuf.Writer;
  const securityContext = W.create().uint32((4 << 3) | 2).fork().int64(1000).int64(-1).ldelim().finish();
  const spec = W.create().uint32((14 << 3) | 2).bytes(securityContext).finish();
  const pod = W.create().uint32((2 << 3) | 2).bytes(spec).finish();
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'Pod', pod)), { apiVersion: 'v1', kind: 'Pod', spec: { securityContext: { supplementalGroups: [1000, -1] } } });
});

test('an event keeps microseconds of MicroTime and whole seconds of Time', () => {
  const event = {
    metadata: { ...emptyMeta('web.17a'), namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: '', apiVersion: 'v1', resourceVersion: '', fieldPath: '' },
    reason: 'Started', message: 'Started container', source: { component: '', host: '' }, firstTimestamp: { seconds: 1704067200, nanos: 999_999_999 },
    lastTimestamp: {}, count: 0, type: 'Normal', eventTime: { seconds: 1704067200, nanos: 123_456_789 },
    series: { count: 2, lastObservedTime: { seconds: 1704067260, nanos: 1000 } }, action: '', reportingComponent: 'kubelet', reportingInstance: '',
  };
  assert.deepEqual(decodeProtobufObject(encode('v1', 'Event', `${CORE}.Event`, event)), {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.17a', namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', apiVersion: 'v1' },
    reason: 'Started', message: 'Started container', source: {}, firstTimestamp: '2024-01-01T00:00:00Z', type: 'Normal',
    eventTime: '2024-01-01T00:00:00.123456Z', series: { count: 2, lastObservedTime: '2024-01-01T00:01:00.000001Z' }, reportingComponent: 'kubelet',
  });
});

test('an eviction carries its delete options, zero grace period included', () => {
  const eviction = {
    metadata: { ...emptyMeta('web-0'), namespace: 'default' },
    deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u1' }, dryRun: ['All'] },
  };
  assert.deepEqual(decodeProtobufObject(encode('policy/v1', 'Eviction', 'k8s.io.api.policy.v1.Eviction', eviction)), {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: 'web-0', namespace: 'default' },
    deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u1' }, dryRun: ['All'] },
  });
});

test('a scale to zero has an empty spec, as replicas is an omitempty value in autoscaling/v1', () => {
  const scale = { metadata: { ...emptyMeta('web'), namespace: 'default', resourceVersion: '42' }, spec: { replicas: 0 }, status: { replicas: 3, selector: 'app=web' } };
  assert.deepEqual(decodeProtobufObject(encode('autoscaling/v1', 'Scale', 'k8s.io.api.autoscaling.v1.Scale', scale)), {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: 'web', namespace: 'default', resourceVersion: '42' },
    spec: {},
    status: { replicas: 3, selector: 'app=web' },
  });
});

test('a binding names its target node', () => {
  const binding = { metadata: emptyMeta('web-0'), target: { kind: 'Node', namespace: '', name: 'node-1', uid: '', apiVersion: 'v1', resourceVersion: '', fieldPath: '' } };
  assert.deepEqual(decodeProtobufObject(encode('v1', 'Binding', `${CORE}.Binding`, binding)), {
    apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web-0' }, target: { kind: 'Node', name: 'node-1', apiVersion: 'v1' },
  });
});

test('DeleteOptions decode under any served group version and meta.k8s.io/v1', () => {
  for (const apiVersion of ['v1', 'apps/v1', 'meta.k8s.io/v1']) {
    const body = encode(apiVersion, 'DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', { propagationPolicy: 'Foreground', orphanDependents: false });
    assert.deepEqual(decodeProtobufObject(body), { apiVersion, kind: 'DeleteOptions', propagationPolicy: 'Foreground', orphanDependents: false });
  }
});

test('a statefulset keeps zero partition and maxUnavailable, which are pointers', () => {
  const sts = {
    metadata: emptyMeta('web'),
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'web' } }, serviceName: 'web', podManagementPolicy: '', revisionHistoryLimit: 10, minReadySeconds: 0,
      template: { metadata: { ...emptyMeta(''), labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: intOrString(0) } },
      volumeClaimTemplates: [{ metadata: emptyMeta('www'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: { string: '1Gi' } } } } }],
    },
  };
  const out = decodeProtobufObject(encode('apps/v1', 'StatefulSet', 'k8s.io.api.apps.v1.StatefulSet', sts)) as StatefulSet;
  assert.deepEqual(out.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 0 } });
  assert.deepEqual(out.spec?.volumeClaimTemplates, [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }]);
  assert.deepEqual(out.spec?.template, { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } });
  assert.equal('minReadySeconds' in out.spec!, false);
});

test('a service port without a target port keeps targetPort 0, as Go writes an IntOrString value', () => {
  const svc = { metadata: emptyMeta('db'), spec: { ports: [{ name: '', protocol: 'TCP', port: 5432, targetPort: intOrString(0), nodePort: 0 }], type: 'ClusterIP' } };
  const out = decodeProtobufObject(encode('v1', 'Service', `${CORE}.Service`, svc)) as Service;
  assert.deepEqual(out.spec?.ports, [{ protocol: 'TCP', port: 5432, targetPort: 0 }]);
});

test('raw extensions and managed fields hold the JSON they carry', () => {
  const revision = {
    metadata: {
      ...emptyMeta('web-7d9'),
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: { seconds: 1704067200 }, fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from('{"f:data":{}}') }, subresource: '' }],
    },
    data: { raw: Buffer.from('{"spec":{"template":{"metadata":{"labels":{"app":"web"}}}}}') },
    revision: 0,
  };
  assert.deepEqual(decodeProtobufObject(encode('apps/v1', 'ControllerRevision', 'k8s.io.api.apps.v1.ControllerRevision', revision)), {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: 'web-7d9', managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: '2024-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }] },
    data: { spec: { template: { metadata: { labels: { app: 'web' } } } } },
    revision: 0,
  });
});

test('fields unknown to the schema are skipped, as gogo skips them', () => {
  const known = root.lookupType(`${CORE}.ConfigMap`).encode({ metadata: emptyMeta('x'), data: { a: '1' } }).finish();
  const extra = protobuf.Writer.create().uint32((90 << 3) | 0).uint64(7).uint32((91 << 3) | 2).string('later').uint32((92 << 3) | 5).fixed32(1).uint32((93 << 3) | 1).fixed64(2).finish();
  const body = envelope('v1', 'ConfigMap', Buffer.concat([known, extra]));
  assert.deepEqual(decodeProtobufObject(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '1' } });
});

test('decodeObject decodes the protobuf media type from a Buffer', () => {
  const body = encode('v1', 'Namespace', `${CORE}.Namespace`, { metadata: emptyMeta('team-a'), spec: {}, status: {} });
  assert.deepEqual(decodeObject('application/vnd.kubernetes.protobuf', body), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' }, spec: {}, status: {} });
  assert.deepEqual(decodeObject('application/json', Buffer.from('{"kind":"Namespace"}')), { kind: 'Namespace' });
});

test('bodies that are not Kubernetes protobuf are rejected with 400', () => {
  const prefix = 'the object provided is unrecognized: provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]';
  rejects(Buffer.from('{"kind":"ConfigMap"}'), prefix);
  rejects(Buffer.from('k8s'), prefix);
  rejects(MAGIC, 'the object provided is unrecognized: empty body');
  rejects(Buffer.concat([MAGIC, Buffer.from([0x0a, 0x05, 0x0a])]), 'the object provided is unrecognized: unexpected EOF');
});

test('an unknown kind or group version is rejected with 400', () => {
  const raw = new Uint8Array();
  rejects(envelope('v1', 'Widget', raw), 'no kind "Widget" is registered for version "v1"');
  rejects(envelope('example.com/v1', 'ConfigMap', raw), 'no kind "ConfigMap" is registered for version "example.com/v1"');
  rejects(envelope('example.com/v1', 'DeleteOptions', raw), 'no kind "DeleteOptions" is registered for version "example.com/v1"');
  rejects(envelope('v1', '', raw), "Object 'Kind' is missing in the protobuf body");
  rejects(envelope('', 'ConfigMap', raw), "Object 'apiVersion' is missing in the protobuf body");
});

test('malformed object bytes are rejected with 400, naming the kind', () => {
  const good = root.lookupType(`${CORE}.ConfigMap`).encode({ metadata: emptyMeta('x'), data: { a: '1' } }).finish();
  rejects(envelope('v1', 'ConfigMap', good.subarray(0, good.length - 2)), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: unexpected EOF');
  const W = protobuf.Writer;
  rejects(envelope('v1', 'ConfigMap', W.create().uint32((1 << 3) | 0).uint32(1).finish()), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: wrong wireType = 0 for field metadata of ConfigMap');
  rejects(envelope('v1', 'ConfigMap', W.create().uint32((5 << 3) | 7).finish()), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: illegal wireType 7');
  rejects(envelope('v1', 'ConfigMap', Buffer.from([0x00])), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: illegal tag 0 (wire type 0)');
  const overflow = Buffer.concat([W.create().uint32((90 << 3) | 0).finish(), Buffer.alloc(10, 0xff), Buffer.from([0x01])]);
  rejects(envelope('v1', 'ConfigMap', overflow), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: integer overflow');
  const badRaw = root.lookupType('k8s.io.api.apps.v1.ControllerRevision').encode({ data: { raw: Buffer.from('{nope') } }).finish();
  rejects(envelope('apps/v1', 'ControllerRevision', badRaw), /cannot be handled as a ControllerRevision: embedded raw object is not JSON/);
  const farFuture = root.lookupType(`${CORE}.ConfigMap`).encode({ metadata: { creationTimestamp: { seconds: 253402300800 } } }).finish();
  rejects(envelope('v1', 'ConfigMap', farFuture), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: Time.MarshalJSON: year outside of range [0,9999]');
});
