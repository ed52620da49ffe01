import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { invalid, notFound } from '../machinery/errors.js';
import { fromLabelSelector } from '../machinery/labels.js';
import { PodControllerRefManager, recheckDeletionTimestamp, type ControllerObject } from './controller_ref_manager.js';

// The cases of upstream's controller_ref_manager_test.go TestClaimPods, for a ReplicaSet.
const RS_KIND = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
const selector = fromLabelSelector({ matchLabels: { foo: 'bar' } });
const NOW = '2026-01-01T00:00:00Z';

const rs = (deleting = false): ControllerObject => ({ metadata: { name: 'rs', namespace: 'default', uid: 'rs-uid', ...(deleting ? { deletionTimestamp: NOW } : {}) } });
const ref = (uid = 'rs-uid'): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid, controller: true });

function pod(name: string, labels: Record<string, string>, extra: { owner?: OwnerReference; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `${name}-uid`,
      labels,
      ...(extra.owner ? { ownerReferences: [extra.owner] } : {}),
      ...(extra.deleting ? { deletionTimestamp: NOW } : {}),
    },
  };
}

/** A manager whose patches are recorded; `fail` answers a pod's patch with an error. */
function manager(controller: ControllerObject, opts: { canAdopt?: () => Promise<void>; fail?: Record<string, unknown> } = {}) {
  const patches: { name: string; patch: unknown }[] = [];
  const patcher = {
    async patchPod(_ns: string, name: string, patch: unknown) {
      if (opts.fail?.[name]) throw opts.fail[name];
      patches.push({ name, patch });
    },
  };
  return { patches, m: new PodControllerRefManager(patcher, controller, selector, RS_KIND, opts.canAdopt ?? (async () => {})) };
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name);

test('matching orphans are adopted with a controllerRef patch carrying the pod uid; others are left', async () => {
  const { m, patches } = manager(rs());
  const { claimed, errors } = await m.claimPods([pod('pod1', { foo: 'bar' }), pod('pod2', { foo: 'other' })]);
  assert.deepEqual(names(claimed), ['pod1']);
  assert.deepEqual(errors, []);
  assert.deepEqual(patches, [
    {
      name: 'pod1',
      patch: { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }], uid: 'pod1-uid' } },
    },
  ]);
});

test('a controller marked for deletion claims no orphans', async () => {
  const { m, patches } = manager(rs(true));
  const { claimed } = await m.claimPods([pod('pod1', { foo: 'bar' }), pod('pod2', { foo: 'bar' })]);
  assert.deepEqual(claimed, []);
  assert.deepEqual(patches, []);
});

test('a controller being deleted still claims the matching pods it owns, and releases nothing', async () => {
  const { m, patches } = manager(rs(true));
  const { claimed } = await m.claimPods([pod('pod1', { foo: 'bar' }, { owner: ref() }), pod('pod2', { foo: 'other' }, { owner: ref() })]);
  assert.deepEqual(names(claimed), ['pod1']);
  assert.deepEqual(patches, []);
});

test('owned pods that stop matching are released; pods of another controller are ignored', async () => {
  const { m, patches } = manager(rs());
  const { claimed } = await m.claimPods([
    pod('pod1', { foo: 'bar' }, { owner: ref() }),
    pod('pod2', { foo: 'other' }, { owner: ref() }),
    pod('pod3', { foo: 'bar' }, { owner: ref('other-uid') }),
  ]);
  assert.deepEqual(names(claimed), ['pod1']);
  assert.deepEqual(patches, [{ name: 'pod2', patch: { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'rs-uid' }], uid: 'pod2-uid' } } }]);
});

test('orphans being deleted are not adopted', async () => {
  const { m, patches } = manager(rs());
  const { claimed } = await m.claimPods([pod('pod1', { foo: 'bar' }, { deleting: true })]);
  assert.deepEqual(claimed, []);
  assert.deepEqual(patches, []);
});

test('filters narrow the selector match, for adoption and for keeping owned pods', async () => {
  const { m, patches } = manager(rs());
  const notPod2 = (p: Pod) => p.metadata!.name !== 'pod2';
  const { claimed } = await m.claimPods([pod('pod1', { foo: 'bar' }), pod('pod2', { foo: 'bar' }), pod('pod3', { foo: 'bar' }, { owner: ref() })], notPod2, (p) => p.metadata!.name !== 'pod3');
  assert.deepEqual(names(claimed), ['pod1']);
  assert.deepEqual(
    patches.map((p) => p.name),
    ['pod1', 'pod3'],
    'pod3 released',
  );
});

test('canAdopt runs once, only when an adoption is attempted, and its failure fails every adoption', async () => {
  let calls = 0;
  const quiet = manager(rs(), { canAdopt: async () => void calls++ });
  await quiet.m.claimPods([pod('pod1', { foo: 'bar' }, { owner: ref() })]);
  assert.equal(calls, 0, 'nothing to adopt, no live read');

  const { m, patches } = manager(rs(), {
    canAdopt: async () => {
      calls++;
      throw new Error('default/rs has just been deleted at ' + NOW);
    },
  });
  const { claimed, errors } = await m.claimPods([pod('pod1', { foo: 'bar' }), pod('pod2', { foo: 'bar' }), pod('pod3', { foo: 'bar' }, { owner: ref() })]);
  assert.equal(calls, 1);
  assert.deepEqual(names(claimed), ['pod3']);
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['pod1', 'pod2'].map((n) => `can't adopt Pod default/${n} (${n}-uid): default/rs has just been deleted at ${NOW}`),
  );
  assert.deepEqual(patches, []);
});

test('NotFound on adoption or release means the pod is gone; Invalid on release means nothing to release', async () => {
  const pods = { group: '', plural: 'pods' };
  const { m, patches } = manager(rs(), {
    fail: { pod1: notFound(pods, 'pod1'), pod2: notFound(pods, 'pod2'), pod3: invalid('Pod', '', 'pod3', []), pod4: new Error('etcd is down') },
  });
  const { claimed, errors } = await m.claimPods([
    pod('pod1', { foo: 'bar' }),
    pod('pod2', { foo: 'other' }, { owner: ref() }),
    pod('pod3', { foo: 'other' }, { owner: ref() }),
    pod('pod4', { foo: 'bar' }),
  ]);
  assert.deepEqual(claimed, []);
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['etcd is down'],
  );
  assert.deepEqual(patches, []);
});

test('RecheckDeletionTimestamp refuses adoption by a controller that is being deleted or cannot be read', async () => {
  await recheckDeletionTimestamp(async () => rs())();
  await assert.rejects(recheckDeletionTimestamp(async () => rs(true))(), { message: `default/rs has just been deleted at ${NOW}` });
  await assert.rejects(
    recheckDeletionTimestamp(async () => {
      throw new Error('replicasets.apps "rs" not found');
    })(),
    { message: `can't recheck DeletionTimestamp: replicasets.apps "rs" not found` },
  );
});
