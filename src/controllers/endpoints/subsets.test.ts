import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, PodSpec, Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { desiredSubsets } from './subsets.js';

function svc(spec: ServiceSpec = {}, name = 'nginx'): Service {
  return { metadata: { name, namespace: 'default' }, spec: { selector: { app: 'nginx' }, ipFamilies: ['IPv4'], ports: [{ name: 'web', port: 80, targetPort: 80, protocol: 'TCP' }], ...spec } };
}

function pod(name: string, ip: string | undefined, ready: boolean, extra: { metadata?: ObjectMeta; spec?: Partial<PodSpec>; phase?: string } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'nginx' }, ...(extra.metadata ?? {}) },
    spec: { nodeName: 'k8ts', containers: [{ name: 'nginx', ports: [{ name: 'web', containerPort: 8080 }] }], ...(extra.spec ?? {}) },
    status: {
      phase: extra.phase ?? 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

const ref = (name: string) => ({ kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` });

describe('desiredSubsets', () => {
  it('puts ready pods in addresses and unready ones in notReadyAddresses of one subset, sorted by IP', () => {
    const subsets = desiredSubsets(svc(), [pod('web-1', '10.244.0.12', false), pod('web-0', '10.244.0.11', true), pod('web-2', '10.244.0.10', true)]);
    assert.deepEqual(subsets, [
      {
        addresses: [
          { ip: '10.244.0.10', nodeName: 'k8ts', targetRef: ref('web-2') },
          { ip: '10.244.0.11', nodeName: 'k8ts', targetRef: ref('web-0') },
        ],
        notReadyAddresses: [{ ip: '10.244.0.12', nodeName: 'k8ts', targetRef: ref('web-1') }],
        ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
      },
    ]);
  });

  it('resolves named target ports per pod and splits pods that lack a port into their own subset', () => {
    const service = svc({
      ports: [
        { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' },
        { name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' },
      ],
    });
    const withMetrics = pod('a', '10.0.0.1', true, { spec: { containers: [{ name: 'c', ports: [{ name: 'web', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }] }] } });
    const plain = pod('b', '10.0.0.2', true);
    const subsets = desiredSubsets(service, [plain, withMetrics]);
    assert.deepEqual(
      subsets.map((s) => [s.addresses?.map((a) => a.ip), s.ports]),
      [
        [['10.0.0.1', '10.0.0.2'], [{ name: 'http', port: 8080, protocol: 'TCP' }]],
        [['10.0.0.1'], [{ name: 'metrics', port: 9100, protocol: 'TCP' }]],
      ],
    );
  });

  it('a named port of another protocol does not resolve', () => {
    const service = svc({ ports: [{ name: 'dns', port: 53, targetPort: 'web', protocol: 'UDP' }] });
    assert.deepEqual(desiredSubsets(service, [pod('web-0', '10.0.0.1', true)]), []);
  });

  it('skips pods without an IP, terminal pods, and terminating pods unless not-ready addresses are published', () => {
    const terminating = pod('old', '10.0.0.3', true, { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } });
    const pods = [pod('pending', undefined, false), pod('done', '10.0.0.2', false, { phase: 'Succeeded' }), terminating, pod('web-0', '10.0.0.1', false)];
    assert.deepEqual(desiredSubsets(svc(), pods)[0].notReadyAddresses?.map((a) => a.ip), ['10.0.0.1']);
    assert.equal(desiredSubsets(svc(), pods)[0].addresses, undefined);
    const published = desiredSubsets(svc({ publishNotReadyAddresses: true }), pods);
    assert.deepEqual(published[0].addresses?.map((a) => a.ip), ['10.0.0.1', '10.0.0.3']);
    assert.equal(published[0].notReadyAddresses, undefined);
  });

  it('sets hostname only under the Service the pod names as its subdomain, and allows a headless Service without ports', () => {
    const sts = (name: string) => pod(name, name === 'web-0' ? '10.0.0.1' : '10.0.0.2', true, { spec: { hostname: name, subdomain: 'nginx' } });
    const headless = svc({ clusterIP: 'None', ports: [] });
    assert.deepEqual(desiredSubsets(headless, [sts('web-0'), sts('web-1')]), [
      {
        addresses: [
          { ip: '10.0.0.1', hostname: 'web-0', nodeName: 'k8ts', targetRef: ref('web-0') },
          { ip: '10.0.0.2', hostname: 'web-1', nodeName: 'k8ts', targetRef: ref('web-1') },
        ],
      },
    ]);
    const other = desiredSubsets(svc({ clusterIP: 'None' }, 'nginx-other'), [sts('web-0')]);
    assert.equal(other[0].addresses?.[0].hostname, undefined);
    // A ClusterIP Service without ports has no endpoints at all.
    assert.deepEqual(desiredSubsets(svc({ ports: [] }), [sts('web-0')]), []);
  });
});
