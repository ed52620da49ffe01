import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { lookupResource } from '../../api/resources.js';
import type { AdmissionAttributes, Operation } from '../../registry/admission.js';
import type { KObject, Store } from '../../storage/store.js';
import { defaultTolerationSeconds } from './defaulttolerationseconds.js';

const notReady = (s: number): Toleration => ({ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s });
const unreachable = (s: number): Toleration => ({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s });

function admit(tolerations: Toleration[] | undefined, opts: { operation?: Operation; subresource?: string; plugin?: ReturnType<typeof defaultTolerationSeconds> } = {}): Toleration[] | undefined {
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'nginx' }], tolerations } };
  const resource = lookupResource('', 'v1', 'pods')!;
  const a: AdmissionAttributes = { operation: opts.operation ?? 'CREATE', resource, subresource: opts.subresource ?? '', namespace: 'ns', name: 'p', object: pod as unknown as KObject, dryRun: false, store: {} as Store };
  (opts.plugin ?? defaultTolerationSeconds()).admit!(a);
  return pod.spec!.tolerations;
}

test('a pod without tolerations gets both for 300 s', () => {
  assert.deepEqual(admit(undefined), [notReady(300), unreachable(300)]);
});

test('a pod already tolerating not-ready (forever) only gets unreachable', () => {
  const own: Toleration = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' };
  assert.deepEqual(admit([own]), [own, unreachable(300)]);
});

test('its own unreachable toleration seconds are kept', () => {
  assert.deepEqual(admit([unreachable(700)]), [unreachable(700), notReady(300)]);
});

test('a toleration with an empty key and effect tolerates both', () => {
  const all: Toleration = { operator: 'Exists' };
  assert.deepEqual(admit([all]), [all]);
});

test('an empty effect covers NoExecute; a NoSchedule toleration does not', () => {
  const anyEffect: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists' };
  assert.deepEqual(admit([anyEffect]), [anyEffect, notReady(300)]);
  const noSchedule: Toleration = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' };
  assert.deepEqual(admit([noSchedule]), [noSchedule, notReady(300), unreachable(300)]);
});

test('only pod creation is defaulted', () => {
  assert.equal(admit(undefined, { operation: 'UPDATE' }), undefined);
  assert.equal(admit(undefined, { subresource: 'status' }), undefined);
});

test('the durations come from the flags', () => {
  assert.deepEqual(admit([], { plugin: defaultTolerationSeconds(60, 120) }), [notReady(60), unreachable(120)]);
});
