import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeploymentSpec, StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Loose } from '../loose.js';
import { validate } from './index.js';
import { messages } from '../../testing/validation.js';
import { applyDefaults } from '../defaults/index.js';

/** A workload whose spec and template the cases change in place. */
type Workload<S> = { metadata: Loose<ObjectMeta>; spec: Omit<Loose<S>, 'template'> & { template: { metadata: Loose<ObjectMeta>; spec: Loose<PodSpec> } } };

const web = (): Workload<StatefulSetSpec> => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    serviceName: 'nginx',
    replicas: 2,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image: 'k8s.gcr.io/nginx-slim:0.8', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] },
    },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
});

test('the tutorial StatefulSet is valid, with mounts naming claim templates', () => {
  assert.deepEqual(messages('apps', 'StatefulSet', web()), []);
});

test('negative replicas', () => {
  const sts = web();
  sts.spec.replicas = -1;
  assert.deepEqual(messages('apps', 'StatefulSet', sts), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
});

test('selector that does not match the template labels', () => {
  const sts = web();
  sts.spec.template.metadata.labels = { app: 'x' };
  assert.deepEqual(messages('apps', 'StatefulSet', sts), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
  ]);
});

test('a missing selector is required and matches nothing', () => {
  const sts = web();
  delete sts.spec.selector;
  assert.deepEqual(messages('apps', 'StatefulSet', sts), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
  ]);
});

test('StatefulSet names must be DNS labels', () => {
  const sts = web();
  sts.metadata.name = 'web.v1';
  assert.deepEqual(messages('apps', 'StatefulSet', sts), ['metadata.name: Invalid value: "web.v1": must not contain dots']);
});

test('policies, ordinals and restart policy', () => {
  const sts = web();
  Object.assign(sts.spec, { podManagementPolicy: 'Sometimes', ordinals: { start: -1 }, minReadySeconds: -5 });
  sts.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 1 } };
  sts.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep', whenScaled: 'Retain' };
  sts.spec.template.spec.restartPolicy = 'Never';
  assert.deepEqual(messages('apps', 'StatefulSet', sts), [
    `spec.podManagementPolicy: Invalid value: "Sometimes": must be 'OrderedReady' or 'Parallel'`,
    `spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:1, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'`,
    'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
    'spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0',
    'spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  ]);
});

test('StatefulSet updates may change only the listed fields', () => {
  const old = web();
  applyDefaults('apps', 'StatefulSet', old);
  const scaled = structuredClone(old);
  scaled.spec.replicas = 5;
  scaled.spec.template.spec.containers![0].image = 'nginx:1.25';
  assert.deepEqual(validate('apps', 'StatefulSet', scaled, old), []);

  const resized = structuredClone(old);
  resized.spec.volumeClaimTemplates![0].spec!.resources!.requests!.storage = '2Gi';
  assert.deepEqual(messages('apps', 'StatefulSet', resized, old), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
});

const deployment = (): Workload<DeploymentSpec> => ({
  metadata: { name: 'frontend', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'guestbook' } },
    template: { metadata: { labels: { app: 'guestbook' } }, spec: { containers: [{ name: 'php', image: 'gb-frontend:v4' }] } },
  },
});

test('Deployments validate their pod template', () => {
  const d = deployment();
  d.spec.template.spec.containers = [];
  assert.deepEqual(messages('apps', 'Deployment', d), ['spec.template.spec.containers: Required value']);
});

test('rolling update parameters', () => {
  const d = deployment();
  d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25', maxSurge: 0 } };
  assert.deepEqual(messages('apps', 'Deployment', d), [
    `spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"25"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
  ]);
});

test('the selector of a Deployment, ReplicaSet or DaemonSet is immutable', () => {
  const old = deployment();
  applyDefaults('apps', 'Deployment', old);
  const changed = structuredClone(old);
  changed.spec.selector!.matchLabels!.tier = 'frontend';
  changed.spec.template.metadata.labels!.tier = 'frontend';
  assert.deepEqual(messages('apps', 'Deployment', changed, old), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"guestbook", "tier":"frontend"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
});

test('empty selectors and DaemonSet restart policy', () => {
  const d = deployment();
  d.spec.selector = {};
  assert.deepEqual(messages('apps', 'Deployment', d), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  ]);
  const ds = deployment();
  ds.spec.template.spec.restartPolicy = 'OnFailure';
  assert.deepEqual(messages('apps', 'DaemonSet', ds), ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']);
});

test('ControllerRevision data is mandatory and immutable', () => {
  assert.deepEqual(messages('apps', 'ControllerRevision', { metadata: { name: 'web-1', namespace: 'default' }, revision: 1 }), ['data: Required value: data is mandatory']);
  const old = { metadata: { name: 'web-1', namespace: 'default' }, revision: 1, data: { spec: { a: 1 } } };
  const changed = { ...old, data: { spec: { a: 2 } } };
  assert.deepEqual(messages('apps', 'ControllerRevision', changed, old), ['data: Invalid value: {"spec":{"a":2}}: field is immutable']);
});
