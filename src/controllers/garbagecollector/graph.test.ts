import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alternateOwnerIdentity, GraphNode, partitionDependents, referencesDiffs } from './graph.js';
import type { ObjectIdentity, OwnerReference } from './identity.js';

const ref = (uid: string, extra: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid, ...extra });
const id = (uid: string, namespace = 'default', extra: Partial<ObjectIdentity> = {}): ObjectIdentity => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid, namespace, ...extra });
const pod = (name: string, owners: OwnerReference[], namespace = 'default') => new GraphNode({ apiVersion: 'v1', kind: 'Pod', name, uid: `pod-${name}`, namespace }, owners, false);

describe('referencesDiffs', () => {
  it('reports added, removed and changed references by uid', () => {
    const d = referencesDiffs([ref('a', { blockOwnerDeletion: true }), ref('b')], [ref('a', { blockOwnerDeletion: false }), ref('c')]);
    assert.deepEqual(d.added.map((r) => r.uid), ['c']);
    assert.deepEqual(d.removed.map((r) => r.uid), ['b']);
    assert.equal(d.changed.length, 1);
    assert.equal(d.changed[0].oldRef.blockOwnerDeletion, true);
    assert.equal(d.changed[0].newRef.blockOwnerDeletion, false);
  });

  it('treats identical references as unchanged', () => {
    const d = referencesDiffs([ref('a', { controller: true })], [ref('a', { controller: true })]);
    assert.deepEqual(d, { added: [], removed: [], changed: [] });
  });
});

describe('GraphNode.blockingDependents', () => {
  it('lists only dependents whose reference to this owner blocks deletion', () => {
    const owner = new GraphNode(id('s'), [], false);
    const blocking = pod('web-0', [ref('s', { blockOwnerDeletion: true })]);
    const nonBlocking = pod('web-1', [ref('s'), ref('other', { blockOwnerDeletion: true })]);
    owner.dependents.add(blocking);
    owner.dependents.add(nonBlocking);
    assert.deepEqual(owner.blockingDependents(), [blocking]);
  });
});

describe('partitionDependents', () => {
  it('matches on uid, name, kind and API group, ignoring the version', () => {
    const good = pod('a', [ref('s', { apiVersion: 'apps/v1beta2' })]);
    const wrongKind = pod('b', [ref('s', { kind: 'Deployment' })]);
    const { matching, nonmatching } = partitionDependents([good, wrongKind], id('s'));
    assert.deepEqual(matching, [good]);
    assert.deepEqual(nonmatching, [wrongKind]);
  });

  it('puts dependents in another namespace than a namespaced owner among the non-matching', () => {
    const elsewhere = pod('a', [ref('s')], 'other');
    assert.deepEqual(partitionDependents([elsewhere], id('s')).nonmatching, [elsewhere]);
  });

  it('lets any namespace match a cluster-scoped owner', () => {
    const lease = pod('lease', [{ apiVersion: 'v1', kind: 'Node', name: 'k8ts', uid: 'n' }], 'kube-node-lease');
    const node: ObjectIdentity = { apiVersion: 'v1', kind: 'Node', name: 'k8ts', uid: 'n', namespace: '' };
    assert.deepEqual(partitionDependents([lease], node).matching, [lease]);
  });
});

describe('alternateOwnerIdentity', () => {
  it('walks the other identities dependents use for the uid, in order, wrapping around', () => {
    const a = pod('a', [ref('s', { name: 'alpha' })]);
    const b = pod('b', [ref('s', { name: 'beta' })]);
    const c = pod('c', [ref('s', { name: 'gamma' })]);
    const deps = [c, a, b];
    assert.equal(alternateOwnerIdentity(deps, id('s', 'default', { name: 'alpha' }))?.name, 'beta');
    assert.equal(alternateOwnerIdentity(deps, id('s', 'default', { name: 'beta' }))?.name, 'gamma');
    assert.equal(alternateOwnerIdentity(deps, id('s', 'default', { name: 'gamma' }))?.name, 'alpha');
  });

  it('returns nothing when every dependent agrees with the absent identity', () => {
    assert.equal(alternateOwnerIdentity([pod('a', [ref('s')])], id('s')), undefined);
  });
});
