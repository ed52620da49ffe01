import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deleteOwnerRefsPatch, finalizersPatch, unblockOwnerRefsPatch } from './patch.js';

describe('garbage collector patches', () => {
  it('deletes owner references by uid with the dependent uid as precondition, as upstream sends it', () => {
    assert.equal(
      JSON.stringify(deleteOwnerRefsPatch('dep', ['o1', 'o2'])),
      '{"metadata":{"ownerReferences":[{"$patch":"delete","uid":"o1"},{"$patch":"delete","uid":"o2"}],"uid":"dep"}}',
    );
  });

  it('turns only blocking references into non-blocking ones', () => {
    const owners = [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', uid: 'a', blockOwnerDeletion: true, controller: true },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'b', uid: 'b' },
    ];
    assert.deepEqual(unblockOwnerRefsPatch('dep', owners), {
      metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', uid: 'a', blockOwnerDeletion: false, controller: true }], uid: 'dep' },
    });
  });

  it('guards the finalizer list with the resourceVersion it was read at', () => {
    assert.deepEqual(finalizersPatch('42', []), { metadata: { resourceVersion: '42', finalizers: [] } });
  });
});
