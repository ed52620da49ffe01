import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodSpec, ReplicationControllerSpec, ReplicationControllerStatus } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Loose } from '../loose.js';
import { applyDefaults } from '../defaults/index.js';
import { messages } from '../../testing/validation.js';

/** A controller whose template (and its spec) the cases change in place. */
type RC = {
  metadata: Loose<ObjectMeta>;
  spec: Omit<Loose<ReplicationControllerSpec>, 'template'> & { template: { metadata: Loose<ObjectMeta>; spec: Loose<PodSpec> } };
  status?: Loose<ReplicationControllerStatus>;
};

const rc = (): RC => ({
  metadata: { name: 'nginx', namespace: 'default' },
  spec: { template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
});

test('defaults take the selector and labels from the template, and one replica', () => {
  const o = rc();
  applyDefaults('', 'ReplicationController', o);
  assert.deepEqual(o.spec.selector, { app: 'nginx' });
  assert.deepEqual(o.metadata.labels, { app: 'nginx' });
  assert.equal(o.spec.replicas, 1);
  assert.equal(o.spec.template.spec.restartPolicy, 'Always');
  const labelled = rc();
  labelled.metadata.labels = { team: 'a' };
  labelled.spec.selector = { app: 'nginx' };
  labelled.spec.replicas = 0;
  applyDefaults('', 'ReplicationController', labelled);
  assert.deepEqual(labelled.metadata.labels, { team: 'a' });
  assert.equal(labelled.spec.replicas, 0);
});

test('a defaulted controller is valid', () => {
  assert.deepEqual(messages('', 'ReplicationController', rc()), []);
});

test('the selector must match the template labels; without a template both are required', () => {
  const o = rc();
  o.spec.selector = { app: 'other' };
  assert.deepEqual(messages('', 'ReplicationController', o), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(messages('', 'ReplicationController', { metadata: { name: 'x', namespace: 'default' }, spec: {} }), [
    'spec.selector: Required value',
    'spec.template: Required value',
  ]);
});

test('replicas and the template restart policy are checked', () => {
  const o = rc();
  o.spec.replicas = -2;
  o.spec.template.spec.restartPolicy = 'Never';
  o.spec.template.spec.activeDeadlineSeconds = 5;
  assert.deepEqual(messages('', 'ReplicationController', o), [
    'spec.replicas: Invalid value: -2: must be greater than or equal to 0',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicationController is not Supported',
  ]);
});

test('status counts may not exceed status.replicas', () => {
  const old = rc();
  applyDefaults('', 'ReplicationController', old);
  const next = structuredClone(old);
  next.status = { replicas: 1, readyReplicas: 2, availableReplicas: 2 };
  assert.deepEqual(messages('', 'ReplicationController', next, old), [
    'status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas',
    'status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas',
  ]);
});
