import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { desiredGroups, planSlices, podToEndpoint, type Slice } from './endpointslice.js';

const svc = (extra: ServiceSpec = {}) => ({
  metadata: { name: 'nginx', namespace: 'default', uid: 'svc-uid', labels: { app: 'nginx' } },
  spec: { selector: { app: 'nginx' }, clusterIP: 'None', ipFamilies: ['IPv4'], ports: [{ name: 'web', port: 80, targetPort: 80, protocol: 'TCP' }], ...extra },
});

function pod(i: number, ready = true, extra: { metadata?: ObjectMeta } = {}): Pod {
  return {
    metadata: { name: `web-${i}`, namespace: 'default', uid: `uid-${i}`, ...(extra.metadata ?? {}) },
    spec: { nodeName: 'k8ts', hostname: `web-${i}`, subdomain: 'nginx', containers: [{ name: 'nginx' }] },
    status: { phase: 'Running', podIP: `10.244.${Math.floor(i / 250)}.${(i % 250) + 2}`, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

const noNodes = () => undefined;

function slice(name: string, endpoints: Array<Endpoint | undefined> | null, ports: EndpointPort[] | null, uid = 'svc-uid'): Slice {
  return {
    metadata: {
      name,
      namespace: 'default',
      resourceVersion: '7',
      labels: { app: 'nginx', 'kubernetes.io/service-name': 'nginx', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'service.kubernetes.io/headless': '' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'nginx', uid, controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    endpoints: endpoints && endpoints.filter((e) => e !== undefined),
    ports,
  };
}

describe('podToEndpoint', () => {
  it('derives ready from serving and terminating, unless not-ready addresses are published', () => {
    assert.deepEqual(podToEndpoint(pod(0), svc(), 'IPv4'), {
      addresses: ['10.244.0.2'],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: 'web-0',
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'uid-0' },
      nodeName: 'k8ts',
    });
    const leaving = pod(1, true, { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } });
    assert.deepEqual(podToEndpoint(leaving, svc(), 'IPv4')?.conditions, { ready: false, serving: true, terminating: true });
    assert.deepEqual(podToEndpoint(pod(2, false), svc({ publishNotReadyAddresses: true }), 'IPv4')?.conditions, { ready: true, serving: false, terminating: false });
    assert.equal(podToEndpoint(pod(3), svc(), 'IPv6'), undefined);
  });

  it('takes the zone from the node', () => {
    assert.equal(podToEndpoint(pod(0), svc(), 'IPv4', { 'topology.kubernetes.io/zone': 'zone-a' })?.zone, 'zone-a');
  });
});

describe('planSlices', () => {
  const plan = (pods: Pod[], existing: Slice[], service = svc()) => planSlices(service, 'IPv4', desiredGroups(service, pods, 'IPv4', noNodes), existing, '2026-01-01T00:00:00Z');

  it('creates one placeholder slice for a Service without endpoints, and keeps it', () => {
    const first = plan([], []);
    assert.equal(first.create.length, 1);
    const placeholder = first.create[0];
    assert.equal(placeholder.metadata.generateName, 'nginx-');
    assert.equal(placeholder.endpoints, null);
    assert.equal(placeholder.ports, null);
    assert.deepEqual(placeholder.metadata.labels, slice('x', null, null).metadata.labels);
    assert.deepEqual(placeholder.metadata.ownerReferences, slice('x', null, null).metadata.ownerReferences);
    assert.deepEqual(plan([], [slice('nginx-abcde', null, null)]), { create: [], update: [], delete: [] });
  });

  it('fills the placeholder instead of replacing it when pods appear', () => {
    const p = plan([pod(0)], [slice('nginx-abcde', null, null)]);
    assert.equal(p.create.length, 0);
    assert.equal(p.delete.length, 0);
    assert.equal(p.update[0].metadata.name, 'nginx-abcde');
    assert.deepEqual(p.update[0].ports, [{ name: 'web', port: 80, protocol: 'TCP' }]);
    assert.equal(p.update[0].endpoints?.length, 1);
    assert.equal(p.update[0].metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2026-01-01T00:00:00Z');
  });

  it('puts at most 100 endpoints in a slice', () => {
    const pods = Array.from({ length: 250 }, (_, i) => pod(i));
    const p = plan(pods, []);
    assert.deepEqual(p.create.map((s) => s.endpoints?.length), [100, 100, 50]);
  });

  it('keeps endpoints in the slice they are in and updates only what changed', () => {
    const ports = [{ name: 'web', port: 80, protocol: 'TCP' }];
    const a = slice('nginx-aaaaa', [podToEndpoint(pod(0), svc(), 'IPv4'), podToEndpoint(pod(1, false), svc(), 'IPv4')], ports);
    const b = slice('nginx-bbbbb', [podToEndpoint(pod(2), svc(), 'IPv4')], ports);
    // web-1 became ready, web-3 is new: only slice a changes, and it takes the new endpoint.
    const p = plan([pod(0), pod(1), pod(2), pod(3)], [a, b]);
    assert.deepEqual(p.create, []);
    assert.deepEqual(p.delete, []);
    assert.deepEqual(p.update.map((s) => s.metadata.name), ['nginx-aaaaa']);
    assert.deepEqual(p.update[0].endpoints?.map((e) => [e.targetRef?.name, e.conditions?.ready]), [['web-0', true], ['web-1', true], ['web-3', true]]);
    assert.equal(p.update[0].metadata.resourceVersion, '7');
  });

  it('turns the last slice back into a placeholder when the pods go, and drops slices of an older Service', () => {
    const ports = [{ name: 'web', port: 80, protocol: 'TCP' }];
    const p = plan([], [slice('nginx-aaaaa', [podToEndpoint(pod(0), svc(), 'IPv4')], ports)]);
    assert.deepEqual(p.delete, []);
    assert.equal(p.update.length, 1);
    assert.equal(p.update[0].endpoints, null);
    assert.equal(p.update[0].ports, null);
    const stale = slice('nginx-zzzzz', null, null, 'old-uid');
    const q = plan([pod(0)], [stale]);
    assert.deepEqual(q.delete.map((s) => s.metadata.name), ['nginx-zzzzz']);
    assert.equal(q.create.length, 1);
  });
});
