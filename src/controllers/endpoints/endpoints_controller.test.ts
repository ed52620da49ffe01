import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { REFS } from '../../client/client.js';
import type { Stored } from '../../client/objects.js';
import { isStatusError } from '../../machinery/errors.js';
import { testCluster, waitFor } from '../../testing/fixture.js';
import { EndpointsController } from './endpoints_controller.js';
import { headlessService, reportStatus, statefulPod } from '../../testing/endpointpods.js';

async function setup(before?: (c: Awaited<ReturnType<typeof testCluster>>) => Promise<void>) {
  const c = await testCluster();
  await before?.(c);
  const ctrl = new EndpointsController(c.ctx);
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

async function endpoints(c: Awaited<ReturnType<typeof testCluster>>, name: string, check: (ep: Stored<Endpoints>) => boolean, what: string): Promise<Stored<Endpoints>> {
  const found = waitFor(async () => {
    try {
      const ep = await c.client.resource(REFS.endpoints).get('default', name);
      return check(ep) ? ep : undefined;
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  }, what);
  // waitFor only returns once the check has found the object.
  return found as Promise<Stored<Endpoints>>;
}

const ref = (uid: string, name: string) => ({ kind: 'Pod', namespace: 'default', name, uid });

describe('EndpointsController', () => {
  it('lists ready and not-ready pods of a headless Service with their hostnames', async () => {
    const { c, done } = await setup();
    await c.client.services.create('default', headlessService());
    const empty = await endpoints(c, 'nginx', () => true, 'Endpoints created');
    assert.equal(empty.subsets, undefined);
    assert.deepEqual(empty.metadata.labels, { app: 'nginx', 'service.kubernetes.io/headless': '' });
    assert.ok(empty.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);

    const web0 = await c.client.pods.create('default', statefulPod('web-0'));
    const web1 = await c.client.pods.create('default', statefulPod('web-1'));
    await c.client.pods.create('default', statefulPod('web-2'));
    await reportStatus(c.client, 'web-0', '10.244.0.3', true);
    await reportStatus(c.client, 'web-1', '10.244.0.4', false);
    const ep = await endpoints(c, 'nginx', (e) => e.subsets?.[0]?.notReadyAddresses?.length === 1, 'web-1 not ready');
    assert.deepEqual(ep.subsets, [
      {
        addresses: [{ ip: '10.244.0.3', hostname: 'web-0', nodeName: 'k8ts', targetRef: ref(web0.metadata.uid, 'web-0') }],
        notReadyAddresses: [{ ip: '10.244.0.4', hostname: 'web-1', nodeName: 'k8ts', targetRef: ref(web1.metadata.uid, 'web-1') }],
        ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
      },
    ]);

    await reportStatus(c.client, 'web-1', '10.244.0.4', true, '2026-01-01T00:00:20Z');
    const both = await endpoints(c, 'nginx', (e) => e.subsets?.[0]?.addresses?.length === 2, 'web-1 ready');
    assert.equal(both.subsets?.[0].notReadyAddresses, undefined);
    assert.equal(both.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2026-01-01T00:00:20Z');

    await c.client.pods.delete('default', 'web-0', { gracePeriodSeconds: 0 });
    const one = await endpoints(c, 'nginx', (e) => e.subsets?.[0]?.addresses?.length === 1, 'web-0 gone');
    assert.equal(one.subsets?.[0].addresses?.[0].hostname, 'web-1');
    done();
  });

  it('publishes not-ready addresses as ready when the Service asks for it', async () => {
    const { c, done } = await setup();
    await c.client.services.create('default', headlessService('nginx', { publishNotReadyAddresses: true }));
    await c.client.pods.create('default', statefulPod('web-0'));
    await reportStatus(c.client, 'web-0', '10.244.0.3', false);
    const ep = await endpoints(c, 'nginx', (e) => e.subsets?.length === 1, 'address listed');
    assert.deepEqual(ep.subsets?.[0].addresses?.map((a) => a.ip), ['10.244.0.3']);
    assert.equal(ep.subsets?.[0].notReadyAddresses, undefined);
    done();
  });

  it('resolves named target ports, leaves Services without a selector alone, and rewrites nothing that did not change', async () => {
    const { c, done } = await setup();
    await c.client.services.create('default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'nginx' }, ports: [{ port: 8080, targetPort: 'web' }] },
    });
    await c.client.services.create('default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external' }, spec: { ports: [{ port: 80 }] } });
    await c.client.pods.create('default', statefulPod('web-0'));
    await reportStatus(c.client, 'web-0', '10.244.0.3', true);
    const ep = await endpoints(c, 'web', (e) => e.subsets?.length === 1, 'endpoints of web');
    assert.deepEqual(ep.subsets?.[0].ports, [{ port: 80, protocol: 'TCP' }]);
    assert.equal(ep.metadata.labels, undefined);

    await c.client.pods.patch('default', 'web-0', 'merge', { metadata: { annotations: { note: 'irrelevant' } } });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await c.client.endpoints.get('default', 'web')).metadata.resourceVersion, ep.metadata.resourceVersion);
    await assert.rejects(c.client.endpoints.get('default', 'external'), (e) => isStatusError(e, 'NotFound'));
    done();
  });

  it('removes Endpoints left without a Service at start, except leader-election records', async () => {
    const orphan = (name: string, annotations?: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, annotations },
      subsets: [{ addresses: [{ ip: '10.244.0.9' }], ports: [{ port: 80 }] }],
    });
    const { c, done } = await setup(async (cl) => {
      await cl.client.endpoints.create('default', orphan('gone'));
      await cl.client.endpoints.create('default', orphan('leader', { 'control-plane.alpha.kubernetes.io/leader': '{}' }));
    });
    await waitFor(async () => {
      try {
        await c.client.endpoints.get('default', 'gone');
        return false;
      } catch (e) {
        return isStatusError(e, 'NotFound');
      }
    }, 'orphan removed');
    assert.ok(await c.client.endpoints.get('default', 'leader'));
    done();
  });

  it('deletes the Endpoints with their Service', async () => {
    const { c, done } = await setup();
    await c.client.services.create('default', headlessService());
    await endpoints(c, 'nginx', () => true, 'Endpoints created');
    await c.client.services.delete('default', 'nginx');
    await waitFor(async () => {
      try {
        await c.client.endpoints.get('default', 'nginx');
        return false;
      } catch (e) {
        return isStatusError(e, 'NotFound');
      }
    }, 'Endpoints deleted');
    done();
  });
});
