import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { getControllerOf, getPodFromTemplate, isPodAvailable, isPodReady, newControllerRef } from './controller_utils.js';

const RS_KIND = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
const rs = { metadata: { name: 'frontend', namespace: 'default', uid: 'rs-uid' } };

test('NewControllerRef sets controller and blockOwnerDeletion; GetControllerOf finds the controller among owners', () => {
  const controllerRef = newControllerRef(rs, RS_KIND);
  assert.deepEqual(controllerRef, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'frontend', uid: 'rs-uid', controller: true, blockOwnerDeletion: true });
  const owner = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' };
  assert.equal(getControllerOf({ metadata: { ownerReferences: [owner, controllerRef] } }), controllerRef);
  assert.equal(getControllerOf({ metadata: { ownerReferences: [{ ...owner, controller: false }] } }), undefined);
  assert.equal(getControllerOf({ metadata: {} }), undefined);
});

test('GetPodFromTemplate: generateName <parent>-, the template metadata copied, the controllerRef, the spec', () => {
  const template: PodTemplateSpec = {
    metadata: { labels: { app: 'guestbook' }, annotations: { note: 'x' }, finalizers: ['example.com/keep'], name: 'ignored' },
    spec: { containers: [{ name: 'php-redis', image: 'gcr.io/google_samples/gb-frontend:v3' }], restartPolicy: 'Always' },
  };
  const pod = getPodFromTemplate(template, rs, newControllerRef(rs, RS_KIND));
  assert.deepEqual(pod.metadata, {
    generateName: 'frontend-',
    labels: { app: 'guestbook' },
    annotations: { note: 'x' },
    finalizers: ['example.com/keep'],
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'frontend', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
  });
  assert.deepEqual(pod.spec, template.spec);
  (pod.metadata!.labels as Record<string, string>).extra = 'y';
  pod.spec!.restartPolicy = 'Never';
  assert.deepEqual(template.metadata!.labels, { app: 'guestbook' }, 'labels are copied');
  assert.equal(template.spec!.restartPolicy, 'Always', 'top-level spec fields are copied');
  const bare = getPodFromTemplate({ spec: { containers: [] } }, rs, newControllerRef(rs, RS_KIND));
  assert.deepEqual(Object.keys(bare.metadata!), ['generateName', 'labels', 'ownerReferences'], 'no empty annotations or finalizers');
});

test('IsPodReady reads the Ready condition; IsPodAvailable needs it for more than minReadySeconds', () => {
  const now = Date.parse('2026-01-01T00:00:20Z');
  const pod = (status: string, since?: string): Pod => ({ metadata: { name: 'p' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status, lastTransitionTime: since }] } });
  assert.equal(isPodReady(pod('True')), true);
  assert.equal(isPodReady(pod('False')), false);
  assert.equal(isPodReady({ metadata: {}, status: { conditions: [{ type: 'ContainersReady', status: 'True' }] } }), false);
  assert.equal(isPodReady({ metadata: {} }), false);
  assert.equal(isPodReady(Object.freeze({ metadata: {}, status: Object.freeze({ conditions: [{ type: 'Ready', status: 'True' }] }) })), true, 'frozen status');
  assert.equal(isPodAvailable(pod('True', '2026-01-01T00:00:20Z'), 0, now), true, 'minReadySeconds 0: ready is available');
  assert.equal(isPodAvailable(pod('True', '2026-01-01T00:00:10Z'), 10, now), false, 'exactly minReadySeconds is not enough');
  assert.equal(isPodAvailable(pod('True', '2026-01-01T00:00:09Z'), 10, now), true);
  assert.equal(isPodAvailable(pod('True'), 10, now), false, 'no transition time');
  assert.equal(isPodAvailable(pod('False', '2026-01-01T00:00:00Z'), 0, now), false);
});
