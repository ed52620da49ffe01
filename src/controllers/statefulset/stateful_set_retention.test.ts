import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isClaimOwnerUpToDate, updateClaimOwnerRefForSetAndPod } from './stateful_set_retention.js';
import { webSet } from '../../testing/statefulset.js';

type Policy = 'Retain' | 'Delete';

const setWith = (whenDeleted: Policy, whenScaled: Policy, replicas = 2): StatefulSet => {
  const set = webSet({ replicas, persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } });
  set.metadata = { ...set.metadata, uid: 'set-uid' };
  return set;
};
const pod = (ordinal: number, uid = `pod-${ordinal}`): Pod => ({ metadata: { name: `web-${ordinal}`, namespace: 'default', uid } });
const claim = (refs: OwnerReference[] = []): PersistentVolumeClaim => ({ metadata: { name: 'www-web-0', ownerReferences: refs } });
const setRef: OwnerReference = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true };
const podRef = (ordinal: number, uid = `pod-${ordinal}`): OwnerReference => ({ apiVersion: 'v1', kind: 'Pod', name: `web-${ordinal}`, uid, controller: true, blockOwnerDeletion: true });

/** Refs after fixing a claim that starts with `start`, for pod `ordinal` of a 2-replica set. */
function fixed(whenDeleted: Policy, whenScaled: Policy, ordinal: number, start: OwnerReference[] = []): string[] {
  const set = setWith(whenDeleted, whenScaled);
  const c = claim(start);
  const p = pod(ordinal);
  updateClaimOwnerRefForSetAndPod(c, set, p);
  assert.equal(isClaimOwnerUpToDate(c, set, p), true, 'fixed claims are up to date');
  return (c.metadata!.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`);
}

test('the retention matrix: which controllerRefs each policy asks for, in range and condemned', () => {
  // pod 1 is in range of a 2-replica set, pod 5 is condemned
  assert.deepEqual([fixed('Retain', 'Retain', 1), fixed('Retain', 'Retain', 5)], [[], []]);
  assert.deepEqual([fixed('Delete', 'Retain', 1), fixed('Delete', 'Retain', 5)], [['StatefulSet/web'], ['StatefulSet/web']]);
  assert.deepEqual([fixed('Retain', 'Delete', 1), fixed('Retain', 'Delete', 5)], [[], ['Pod/web-5']]);
  assert.deepEqual([fixed('Delete', 'Delete', 1), fixed('Delete', 'Delete', 5)], [['StatefulSet/web'], ['Pod/web-5']]);
});

test('refs of another policy are scrubbed, and the added refs are controllerRefs with blockOwnerDeletion', () => {
  assert.deepEqual(fixed('Retain', 'Retain', 1, [setRef]), []);
  assert.deepEqual(fixed('Delete', 'Delete', 5, [setRef]), ['Pod/web-5']);
  const set = setWith('Delete', 'Retain');
  const c = claim();
  updateClaimOwnerRefForSetAndPod(c, set, pod(0));
  assert.deepEqual(c.metadata!.ownerReferences, [setRef]);
});

test('checks: missing or extra refs are out of date; a non-controller ref by the set must become a controller', () => {
  const set = setWith('Delete', 'Retain');
  assert.equal(isClaimOwnerUpToDate(claim(), set, pod(0)), false);
  assert.equal(isClaimOwnerUpToDate(claim([setRef]), set, pod(0)), true);
  assert.equal(isClaimOwnerUpToDate(claim([setRef, podRef(0)]), set, pod(0)), false);
  assert.equal(isClaimOwnerUpToDate(claim([{ ...setRef, controller: undefined }]), set, pod(0)), false);
});

test('a stale ref (same name, other UID) leaves the claim alone', () => {
  const set = setWith('Retain', 'Delete');
  assert.equal(isClaimOwnerUpToDate(claim([podRef(1, 'old-uid')]), set, pod(1)), true);
});

test('another controller makes the set back off; a non-controller foreign owner does not', () => {
  const set = setWith('Delete', 'Retain');
  const foreign: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid', controller: true };
  assert.equal(isClaimOwnerUpToDate(claim([foreign]), set, pod(0)), true, 'nothing to add on top of a foreign controller');
  const withOurs = claim([foreign, setRef]);
  assert.equal(isClaimOwnerUpToDate(withOurs, set, pod(0)), false);
  updateClaimOwnerRefForSetAndPod(withOurs, set, pod(0));
  assert.deepEqual(withOurs.metadata!.ownerReferences, [foreign], 'our refs are removed, none added');

  const plain: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' };
  const shared = claim([plain]);
  updateClaimOwnerRefForSetAndPod(shared, set, pod(0));
  assert.deepEqual(shared.metadata!.ownerReferences, [plain, setRef]);
});
