import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, LimitRangeItem, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { lookupResource } from '../../api/resources.js';
import { isStatusError } from '../../machinery/errors.js';
import type { AdmissionAttributes, Operation } from '../../registry/admission.js';
import { MemoryBackend } from '../../storage/local.js';
import { Store, type KObject } from '../../storage/store.js';
import { LIMIT_RANGER_ANNOTATION, limitRanger } from './limitranger.js';

async function storeWith(...limits: LimitRangeItem[][]): Promise<Store> {
  const store = await Store.open(new MemoryBackend());
  for (const [i, l] of limits.entries()) {
    await store.put('limitranges', 'ns', `lr${i}`, { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: `lr${i}`, namespace: 'ns' }, spec: { limits: l } }, 0);
  }
  return store;
}

function attrs(store: Store, plural: string, object: object, operation: Operation = 'CREATE'): AdmissionAttributes {
  const resource = lookupResource('', 'v1', plural);
  assert.ok(resource);
  const o = object as KObject;
  return { operation, resource, subresource: '', namespace: 'ns', name: o.metadata.name ?? '', object: o, dryRun: false, store };
}

const pod = (...containers: Container[]): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'ns' }, spec: { containers } });
const nginx = (resources?: Container['resources']): Container => ({ name: 'nginx', image: 'nginx', resources });

function refusal(store: Store, object: object, plural = 'pods'): string {
  try {
    limitRanger.validate?.(attrs(store, plural, object));
  } catch (e) {
    assert.ok(isStatusError(e, 'Forbidden'));
    assert.equal(e.code, 403);
    return e.message;
  }
  assert.fail('admitted');
}

test('a new pod gets the Container defaults, with the annotation saying what was set', async () => {
  const store = await storeWith([{ type: 'Container', default: { cpu: '1', memory: '512Mi' }, defaultRequest: { cpu: '500m', memory: '256Mi' } }]);
  const p = pod(nginx());
  limitRanger.admit?.(attrs(store, 'pods', p));
  assert.deepEqual(p.spec?.containers[0].resources, { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '500m', memory: '256Mi' } });
  assert.equal(p.metadata?.annotations?.[LIMIT_RANGER_ANNOTATION], 'LimitRanger plugin set: cpu, memory request for container nginx; cpu, memory limit for container nginx');
});

test('defaults leave what the container set, and cover init containers', async () => {
  const store = await storeWith([{ type: 'Container', default: { cpu: '1', memory: '512Mi' }, defaultRequest: { cpu: '500m', memory: '256Mi' } }]);
  const p = pod(nginx({ requests: { cpu: '100m' }, limits: { cpu: '200m' } }));
  p.spec!.initContainers = [{ name: 'setup', image: 'busybox' }];
  limitRanger.admit?.(attrs(store, 'pods', p));
  assert.deepEqual(p.spec?.containers[0].resources, { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '200m', memory: '512Mi' } });
  assert.equal(
    p.metadata?.annotations?.[LIMIT_RANGER_ANNOTATION],
    'LimitRanger plugin set: memory request for container nginx; memory limit for container nginx; cpu, memory request for init container setup; cpu, memory limit for init container setup',
  );
});

test('a range with only max defaults both limit and request to it (SetDefaults_LimitRangeItem)', async () => {
  const store = await storeWith([{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }]);
  const p = pod(nginx());
  limitRanger.admit?.(attrs(store, 'pods', p));
  assert.deepEqual(p.spec?.containers[0].resources, { limits: { cpu: '2' }, requests: { cpu: '2', memory: '64Mi' } });
});

test('pod updates and other resources are not defaulted', async () => {
  const store = await storeWith([{ type: 'Container', default: { cpu: '1' } }]);
  const p = pod(nginx());
  limitRanger.admit?.(attrs(store, 'pods', p, 'UPDATE'));
  assert.equal(p.spec?.containers[0].resources, undefined);
  limitRanger.validate?.(attrs(store, 'pods', p, 'UPDATE'));
});

test('Container min, max and ratio refuse with the upstream messages', async () => {
  const store = await storeWith([{ type: 'Container', min: { cpu: '100m' } }]);
  assert.equal(refusal(store, pod(nginx({ requests: { cpu: '50m' } }))), 'pods "x" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
  assert.equal(refusal(store, pod(nginx())), 'pods "x" is forbidden: minimum cpu usage per Container is 100m.  No request is specified');
  assert.equal(refusal(store, pod(nginx({ requests: { cpu: '200m' }, limits: { cpu: '0.05' } }))), 'pods "x" is forbidden: minimum cpu usage per Container is 100m, but limit is 50m');
  limitRanger.validate?.(attrs(store, 'pods', pod(nginx({ requests: { cpu: '0.1' } }))));

  const max = await storeWith([{ type: 'Container', max: { memory: '1Gi' } }]);
  assert.equal(refusal(max, pod(nginx({ limits: { memory: '2Gi' }, requests: { memory: '1Gi' } }))), 'pods "x" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi');
  assert.equal(refusal(max, pod(nginx({ requests: { memory: '1Gi' } }))), 'pods "x" is forbidden: maximum memory usage per Container is 1Gi.  No limit is specified');

  const ratio = await storeWith([{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }]);
  assert.equal(
    refusal(ratio, pod(nginx({ requests: { cpu: '100m' }, limits: { cpu: '500m' } }))),
    'pods "x" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000',
  );
  assert.equal(refusal(ratio, pod(nginx({ limits: { cpu: '500m' } }))), 'pods "x" is forbidden: cpu max limit to request ratio per Container is 2, but no request is specified or request is 0');
  limitRanger.validate?.(attrs(ratio, 'pods', pod(nginx({ requests: { cpu: '250m' }, limits: { cpu: '500m' } }))));
});

test('several violations are aggregated in brackets', async () => {
  const store = await storeWith([{ type: 'Container', min: { cpu: '100m', memory: '64Mi' } }]);
  assert.equal(
    refusal(store, pod(nginx({ requests: { cpu: '50m', memory: '32Mi' } }))),
    'pods "x" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, minimum memory usage per Container is 64Mi, but request is 32Mi]',
  );
});

test('Pod limits apply to the sum of the containers', async () => {
  const store = await storeWith([{ type: 'Pod', max: { cpu: '1' } }]);
  const c = (name: string) => ({ name, image: 'nginx', resources: { requests: { cpu: '600m' }, limits: { cpu: '600m' } } });
  assert.equal(refusal(store, pod(c('a'), c('b'))), 'pods "x" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m');
  limitRanger.validate?.(attrs(store, 'pods', pod(c('a'))));
});

test('PersistentVolumeClaim storage min and max apply to the request', async () => {
  const store = await storeWith([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } }]);
  const claim = (storage: string): PersistentVolumeClaim => ({
    metadata: { name: 'data', namespace: 'ns' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  });
  assert.equal(refusal(store, claim('500Mi'), 'persistentvolumeclaims'), 'persistentvolumeclaims "data" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi');
  assert.equal(refusal(store, claim('20Gi'), 'persistentvolumeclaims'), 'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi');
  limitRanger.validate?.(attrs(store, 'persistentvolumeclaims', claim('5Gi')));
});
