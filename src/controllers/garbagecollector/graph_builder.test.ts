import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { lookupKind } from '../../api/resources.js';
import type { KubeObject, Stored, StoredMeta } from '../../client/objects.js';
import { AbsentOwnerCache } from './absent_owner_cache.js';
import type { GraphNode } from './graph.js';
import { GraphBuilder } from './graph_builder.js';

const STS = lookupKind('apps/v1', 'StatefulSet')!;
const POD = lookupKind('v1', 'Pod')!;

function recorder() {
  const log: string[] = [];
  const queues = {
    attemptToDelete: (n: GraphNode) => void log.push(`delete ${n.identity.name}`),
    attemptToDeleteLater: (n: GraphNode) => void log.push(`later ${n.identity.name}`),
    attemptToOrphan: (n: GraphNode) => void log.push(`orphan ${n.identity.name}`),
    invalidNamespaceOwnerRef: (n: GraphNode, uid: string) => void log.push(`invalid ${n.identity.name} ${uid}`),
  };
  const cache = new AbsentOwnerCache();
  return { log, cache, gb: new GraphBuilder(queues, cache) };
}

let rv = 1;
const CREATED = '2026-01-01T00:00:00Z';
function sts(extra: Partial<StoredMeta> = {}): Stored<KubeObject> {
  return { metadata: { name: 'web', namespace: 'default', uid: 'sts-uid', resourceVersion: String(rv++), creationTimestamp: CREATED, ...extra } };
}
function pod(name: string, owners: OwnerReference[] = [stsRef()], namespace = 'default'): Stored<KubeObject> {
  return { metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: String(rv++), creationTimestamp: CREATED, ownerReferences: owners } };
}
function stsRef(extra: Partial<OwnerReference> = {}): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true, blockOwnerDeletion: true, ...extra };
}

describe('GraphBuilder', () => {
  it('adds a virtual owner for a dependent seen first, and marks it observed when its informer shows it', () => {
    const { gb, log } = recorder();
    gb.observe(POD, pod('web-0'));
    const owner = gb.uidToNode.get('sts-uid')!;
    assert.equal(owner.virtual, true);
    assert.deepEqual(log, ['delete web']);
    gb.observe(STS, sts());
    assert.equal(owner.virtual, false);
    assert.equal([...owner.dependents][0].identity.name, 'web-0');
  });

  it('queues every dependent when the owner is deleted and remembers the owner as absent', () => {
    const { gb, log, cache } = recorder();
    gb.observe(STS, sts());
    gb.observe(POD, pod('web-0'));
    gb.observe(POD, pod('web-1'));
    gb.observeDelete(sts());
    assert.deepEqual(log.sort(), ['delete web-0', 'delete web-1']);
    assert.equal(gb.uidToNode.has('sts-uid'), false);
    assert.equal(cache.has({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', namespace: 'default' }), true);
  });

  it('queues the owner for orphaning once, when deletion with the orphan finalizer starts', () => {
    const { gb, log } = recorder();
    const live = sts();
    gb.observe(STS, live);
    const deleting = sts({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'] });
    gb.observe(STS, deleting, live);
    gb.observe(STS, sts({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'], labels: { a: 'b' } }), deleting);
    assert.deepEqual(log, ['orphan web']);
  });

  it('marks a foreground deletion and queues the dependents and the owner', () => {
    const { gb, log } = recorder();
    const live = sts();
    gb.observe(STS, live);
    gb.observe(POD, pod('web-0'));
    gb.observe(STS, sts({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }), live);
    assert.equal(gb.uidToNode.get('sts-uid')!.deletingDependents, true);
    assert.deepEqual(log, ['delete web-0', 'delete web']);
  });

  it('queues a foreground-deleting owner when a dependent goes or stops blocking it', () => {
    const { gb, log } = recorder();
    gb.observe(STS, sts({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }));
    const p0 = pod('web-0');
    gb.observe(POD, p0);
    gb.observe(POD, pod('web-1'));
    log.length = 0;
    gb.observeDelete(pod('web-1'));
    gb.observe(POD, pod('web-0', [stsRef({ blockOwnerDeletion: false })]), p0);
    assert.deepEqual(log, ['delete web', 'delete web']);
    assert.deepEqual([...gb.uidToNode.get('sts-uid')!.dependents].map((d) => d.identity.name), ['web-0']);
  });

  it('reports a dependent naming an observed owner from another namespace and queues it for verification', () => {
    const { gb, log } = recorder();
    gb.observe(STS, sts());
    gb.observe(POD, pod('stray', [stsRef()], 'other'));
    assert.deepEqual(log, ['invalid stray sts-uid', 'delete stray']);
  });

  it('on a confirmed-absent virtual owner whose dependents disagree on its name, queues the matching ones and tries the next name', () => {
    const { gb, log } = recorder();
    gb.observe(POD, pod('a', [stsRef({ name: 'web' })]));
    gb.observe(POD, pod('b', [stsRef({ name: 'zeta' })]));
    log.length = 0;
    gb.virtualDelete({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', namespace: 'default' });
    const node = gb.uidToNode.get('sts-uid')!;
    assert.equal(node.identity.name, 'zeta');
    assert.deepEqual(log, ['delete a', 'later zeta']);
  });

  it('removes a confirmed-absent virtual owner and queues its dependents', () => {
    const { gb, log } = recorder();
    gb.observe(POD, pod('web-0'));
    log.length = 0;
    gb.virtualDelete({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', namespace: 'default' });
    assert.equal(gb.uidToNode.has('sts-uid'), false);
    assert.deepEqual(log, ['delete web-0']);
  });
});
