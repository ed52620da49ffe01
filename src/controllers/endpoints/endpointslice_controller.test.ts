import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REFS } from '../../client/client.js';
import type { Stored } from '../../client/objects.js';
import { testCluster, waitFor } from '../../testing/fixture.js';
import { EndpointSliceController } from './endpointslice_controller.js';
import type { WireSlice } from './endpointslice.js';
import { headlessService, reportStatus, statefulPod } from '../../testing/endpointpods.js';

async function setup() {
  const c = await testCluster();
  const ctrl = new EndpointSliceController(c.ctx);
  await c.start();
  ctrl.start();
  return {
    c,
    done() {
      ctrl.stop();
      c.stop();
    },
  };
}

type Slices = Array<Stored<WireSlice>>;

async function slicesOf(c: Awaited<ReturnType<typeof testCluster>>, service: string): Promise<Slices> {
  return (await c.client.resource<WireSlice>(REFS.endpointslices).list('default', { labelSelector: `kubernetes.io/service-name=${service}` })).items;
}

describe('EndpointSliceController', () => {
  it('keeps one slice for a headless Service, from placeholder to endpoints with conditions', async () => {
    const { c, done } = await setup();
    const svc = await c.client.services.create('default', headlessService());
    const [placeholder] = (await waitFor(async () => {
      const s = await slicesOf(c, 'nginx');
      return s.length === 1 && s;
    }, 'placeholder slice')) as Slices;
    assert.match(placeholder.metadata.name, /^nginx-[a-z0-9]{5}$/);
    assert.equal(placeholder.metadata.generateName, 'nginx-');
    assert.equal(placeholder.addressType, 'IPv4');
    assert.deepEqual(placeholder.endpoints ?? [], []);
    assert.deepEqual(placeholder.metadata.labels, {
      app: 'nginx',
      'kubernetes.io/service-name': 'nginx',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      'service.kubernetes.io/headless': '',
    });
    assert.deepEqual(placeholder.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Service', name: 'nginx', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);

    const web0 = await c.client.pods.create('default', statefulPod('web-0'));
    await c.client.pods.create('default', statefulPod('web-1'));
    await reportStatus(c.client, 'web-0', '10.244.0.3', true);
    await reportStatus(c.client, 'web-1', '10.244.0.4', false);
    const [slice] = (await waitFor(async () => {
      const s = await slicesOf(c, 'nginx');
      return s.length === 1 && s[0].endpoints?.length === 2 && s;
    }, 'two endpoints')) as Slices;
    assert.equal(slice.metadata.name, placeholder.metadata.name, 'the placeholder is reused');
    assert.deepEqual(slice.ports, [{ name: 'web', port: 80, protocol: 'TCP' }]);
    assert.deepEqual(slice.endpoints?.[0], {
      addresses: ['10.244.0.3'],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: 'web-0',
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: web0.metadata.uid },
      nodeName: 'k8ts',
    });
    assert.deepEqual(slice.endpoints?.[1].conditions, { ready: false, serving: false, terminating: false });
    assert.ok(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
    done();
  });

  it('marks a terminating pod not ready but still serving, and drops pods without an IP', async () => {
    const { c, done } = await setup();
    await c.client.services.create('default', headlessService());
    const pod = statefulPod('web-0');
    pod.metadata.finalizers = ['example.com/test-finalizer'];
    await c.client.pods.create('default', pod);
    await c.client.pods.create('default', statefulPod('web-1'));
    await reportStatus(c.client, 'web-0', '10.244.0.3', true);
    await waitFor(async () => (await slicesOf(c, 'nginx'))[0]?.endpoints?.length === 1, 'web-0 listed');
    await c.client.pods.delete('default', 'web-0');
    const [slice] = (await waitFor(async () => {
      const s = await slicesOf(c, 'nginx');
      return s[0]?.endpoints?.[0]?.conditions?.terminating === true && s;
    }, 'web-0 terminating')) as Slices;
    assert.deepEqual(slice.endpoints?.[0].conditions, { ready: false, serving: true, terminating: true });
    assert.equal(slice.endpoints?.length, 1);
    done();
  });

  it('removes the slices with their Service and leaves Services without a selector alone', async () => {
    const { c, done } = await setup();
    await c.client.services.create('default', headlessService());
    await c.client.services.create('default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } });
    await waitFor(async () => (await slicesOf(c, 'nginx')).length === 1, 'slice created');
    await c.client.services.delete('default', 'nginx');
    await waitFor(async () => (await slicesOf(c, 'nginx')).length === 0, 'slices removed');
    assert.deepEqual(await slicesOf(c, 'manual'), []);
    done();
  });
});
