import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../client/objects.js';
import { nodeChanges, SchedulerCache } from './cache.js';
import { newPodInfo } from './nodeinfo.js';
import { node, pod } from '../testing/schedulerobjects.js';

// The cache reads only name, namespace and uid of the metadata a server would have filled in.
const withUid = (p: Pod, uid: string, extra: Partial<Pod> = {}) => ({ ...p, metadata: { ...p.metadata, uid }, ...extra }) as Stored<Pod>;
const stored = (n: Node) => n as Stored<Node>;

describe('SchedulerCache', () => {
  it('counts an assumed pod once, before and after the informer confirms it', () => {
    const cache = new SchedulerCache();
    cache.addNode(stored(node('k8ts')));
    const p = withUid(pod('web-0', { requests: { cpu: '500m' } }), 'u1');
    cache.assumePod(newPodInfo(p), 'k8ts');
    assert.equal(cache.get('k8ts')!.requested.milliCPU, 500);
    cache.upsertPod({ ...p, spec: { ...p.spec!, nodeName: 'k8ts' } });
    assert.equal(cache.get('k8ts')!.requested.milliCPU, 500);
    assert.equal(cache.get('k8ts')!.pods.size, 1);
    // Confirmed pods are not forgotten by a late binding failure.
    assert.equal(cache.forgetPod('u1'), false);
    assert.equal(cache.get('k8ts')!.pods.size, 1);
  });

  it('forgets an assumed pod whose binding failed', () => {
    const cache = new SchedulerCache();
    cache.addNode(stored(node('k8ts')));
    cache.assumePod(newPodInfo(withUid(pod('web-0', { requests: { cpu: '1' } }), 'u1')), 'k8ts');
    assert.equal(cache.forgetPod('u1'), true);
    assert.equal(cache.get('k8ts')!.requested.milliCPU, 0);
  });

  it('stops counting a pod when it finishes, and keeps a deleted node while pods remain on it', () => {
    const cache = new SchedulerCache();
    cache.addNode(stored(node('k8ts')));
    const p = withUid(pod('job', { requests: { cpu: '1' }, nodeName: 'k8ts'}), 'u1');
    cache.upsertPod(p);
    cache.removeNode(stored(node('k8ts')));
    assert.equal(cache.nodeList().length, 0);
    cache.addNode(stored(node('k8ts')));
    assert.equal(cache.get('k8ts')!.requested.milliCPU, 1000);
    assert.equal(cache.upsertPod({ ...p, status: { phase: 'Succeeded' } }), true);
    assert.equal(cache.get('k8ts')!.requested.milliCPU, 0);
  });

  it('reports which scheduling-relevant parts of a node changed', () => {
    const a = node('k8ts');
    assert.deepEqual(nodeChanges(a, node('k8ts')), []);
    assert.deepEqual(nodeChanges(a, node('k8ts', { unschedulable: true, labels: { x: 'y' } })), ['NodeLabel', 'NodeTaint']);
    assert.deepEqual(nodeChanges(a, node('k8ts', { cpu: '8', ready: 'False' })), ['NodeAllocatable', 'NodeCondition']);
  });
});
