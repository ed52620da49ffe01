import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeAllocatable, nonZeroRequests, podRequests } from './resources.js';

const c = (name: string, requests?: Record<string, string>, restartPolicy?: string) => ({ name, image: 'x', restartPolicy, resources: requests ? { requests } : {} });

describe('pod requests', () => {
  it('sums app containers and takes the largest init container if that is more', () => {
    const r = podRequests({ spec: { containers: [c('a', { cpu: '250m', memory: '64Mi' }), c('b', { cpu: '250m' })], initContainers: [c('init', { cpu: '1', memory: '32Mi' })] } });
    assert.equal(r.milliCPU, 1000);
    assert.equal(r.memory, 64 * 1024 * 1024);
  });

  it('counts sidecars (restartable init containers) for the whole life of the pod, plus overhead', () => {
    const spec = {
      initContainers: [c('sidecar', { cpu: '1' }, 'Always'), c('setup', { cpu: '2' })],
      containers: [c('app', { cpu: '1' })],
      overhead: { cpu: '500m' },
    };
    // max(app 1 + sidecar 1, setup 2 + sidecar 1) + overhead 0.5
    assert.equal(podRequests({ spec }).milliCPU, 3500);
  });

  it('gives containers without requests 100m cpu and 200Mi memory when spreading load', () => {
    const nz = nonZeroRequests({ spec: { containers: [c('a'), c('b', { cpu: '0', memory: '1Gi' })] } });
    assert.deepEqual(nz, { milliCPU: 100, memory: 200 * 1024 * 1024 + 1024 ** 3 });
  });

  it('reads allocatable, with extended resources kept by name', () => {
    const a = nodeAllocatable({ status: { allocatable: { cpu: '3800m', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi', 'nvidia.com/gpu': '2' } } });
    assert.equal(a.milliCPU, 3800);
    assert.equal(a.allowedPodNumber, 110);
    assert.equal(a.scalar.get('nvidia.com/gpu'), 2);
  });
});
