import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { REFS } from '../../client/client.js';
import { testCluster, waitFor } from '../../testing/fixture.js';
import { LoadBalancerController, parsePool } from './loadbalancer_controller.js';

const lb = (name: string): Service => ({ metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });

test('LoadBalancer Services get the lowest free pool address, wait when it is exhausted, and give it back', async () => {
  const c = await testCluster();
  const ctrl = new LoadBalancerController(c.ctx, parsePool('127.0.0.100-127.0.0.101'));
  await c.start();
  ctrl.start();
  const services = c.client.resource(REFS.services);
  const address = async (name: string) => (await services.get('default', name)).status?.loadBalancer?.ingress?.[0]?.ip;
  try {
    await services.create('default', lb('a'));
    await waitFor(async () => (await address('a')) === '127.0.0.100', 'a gets the first address');
    await services.create('default', lb('b'));
    await services.create('default', { metadata: { name: 'plain' }, spec: { ports: [{ port: 80 }] } });
    await waitFor(async () => (await address('b')) === '127.0.0.101', 'b gets the second');
    await services.create('default', lb('c'));
    await waitFor(async () => {
      const events = await c.client.resource(REFS.events).list('default');
      return events.items.some((e) => e.involvedObject.name === 'c' && e.reason === 'AllocationFailed');
    }, 'c is told the pool is empty');
    assert.equal(await address('c'), undefined, 'c stays <pending>');
    assert.equal(await address('plain'), undefined, 'a ClusterIP Service gets nothing');
    await services.delete('default', 'a');
    await waitFor(async () => (await address('c')) === '127.0.0.100', "c gets a's freed address");
    await services.patch('default', 'b', 'merge', { spec: { type: 'ClusterIP' } });
    await waitFor(async () => (await address('b')) === undefined, 'b loses its address when it stops being a LoadBalancer');
    await services.create('default', { ...lb('classy'), spec: { ...lb('classy').spec, loadBalancerClass: 'example.com/other' } });
    await services.create('default', lb('d'));
    await waitFor(async () => (await address('d')) === '127.0.0.101', 'd gets the address b gave back');
    assert.equal(await address('classy'), undefined, 'another class is another controller’s');
  } finally {
    ctrl.stop();
    c.stop();
  }
});

test('pools are IPv4 ranges', () => {
  assert.deepEqual(parsePool('10.0.0.1-10.0.0.3'), { first: 167772161, last: 167772163 });
  assert.deepEqual(parsePool('10.0.0.7'), { first: 167772167, last: 167772167 });
  assert.throws(() => parsePool('10.0.0.9-10.0.0.1'), /ends before it starts/);
  assert.throws(() => parsePool('300.0.0.1-300.0.0.2'), /is not an IPv4 range like 127.0.0.100-127.0.0.199/);
  assert.throws(() => parsePool('fe80::1'), /is not an IPv4 range/);
});
