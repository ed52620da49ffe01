import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { CONTROLLER_REVISION_HASH_LABEL, hashControllerRevision } from '../history/controller_history.js';
import {
  applyRevision,
  completeRollingUpdate,
  getParentNameAndOrdinal,
  identityMatches,
  inconsistentStatus,
  isRunningAndAvailable,
  newPersistentVolumeClaim,
  newRevision,
  newStatefulSetPod,
  newVersionedStatefulSetPod,
  nextRevision,
  podInOrdinalRange,
  storageMatches,
} from './stateful_set_utils.js';
import { webSet } from '../../testing/statefulset.js';

const named = (name: string): Pod => ({ metadata: { name } });
const stored = (spec = {}): StatefulSet => {
  const set = webSet(spec);
  set.metadata = { ...set.metadata, uid: 'set-uid' };
  return set;
};

test('pod names parse into parent and ordinal like statefulPodRegex', () => {
  assert.deepEqual(getParentNameAndOrdinal(named('web-0')), { parent: 'web', ordinal: 0 });
  assert.deepEqual(getParentNameAndOrdinal(named('my-web-12')), { parent: 'my-web', ordinal: 12 });
  assert.deepEqual(getParentNameAndOrdinal(named('web')), { parent: '', ordinal: -1 });
  assert.deepEqual(getParentNameAndOrdinal(named('web-99999999999')), { parent: 'web', ordinal: -1 }, 'not an int32');
});

test('the ordinal range starts at spec.ordinals.start', () => {
  const set = stored({ replicas: 2, ordinals: { start: 3 } });
  assert.deepEqual(
    ['web-2', 'web-3', 'web-4', 'web-5'].map((n) => podInOrdinalRange(named(n), set)),
    [false, true, true, false],
  );
});

test('a new pod: name, generateName, identity labels, hostname/subdomain, controllerRef, claim volumes', () => {
  const set = stored();
  set.spec!.template.metadata!.annotations = { note: 'x' };
  set.spec!.template.spec!.volumes = [
    { name: 'www', emptyDir: {} },
    { name: 'config', configMap: { name: 'cfg' } },
  ];
  const pod = newStatefulSetPod(set, 4);
  assert.equal(pod.metadata!.name, 'web-4');
  assert.equal(pod.metadata!.generateName, 'web-');
  assert.deepEqual(pod.metadata!.labels, { app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-4', 'apps.kubernetes.io/pod-index': '4' });
  assert.deepEqual(pod.metadata!.annotations, { note: 'x' });
  assert.equal(pod.spec!.hostname, 'web-4');
  assert.equal(pod.spec!.subdomain, 'nginx');
  assert.deepEqual(pod.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(pod.spec!.volumes, [
    { name: 'www', persistentVolumeClaim: { claimName: 'www-web-4' } },
    { name: 'config', configMap: { name: 'cfg' } },
  ]);
  assert.ok(identityMatches(set, pod) && storageMatches(set, pod));
  const unlabeled = structuredClone(pod);
  delete unlabeled.metadata!.labels!['statefulset.kubernetes.io/pod-name'];
  assert.equal(identityMatches(set, unlabeled), false);
  const moved = structuredClone(pod);
  moved.spec!.volumes![0].persistentVolumeClaim!.claimName = 'www-web-0';
  assert.equal(storageMatches(set, moved), false);
});

test('claims: <template>-<set>-<ordinal>, selector matchLabels merged over template labels', () => {
  const set = stored();
  set.spec!.volumeClaimTemplates![0].metadata!.labels = { app: 'template', tier: 'db' };
  const www = newPersistentVolumeClaim(set, set.spec!.volumeClaimTemplates![0], 2);
  assert.equal(www.metadata!.name, 'www-web-2');
  assert.equal(www.metadata!.namespace, 'default');
  assert.deepEqual(www.metadata!.labels, { app: 'nginx', tier: 'db' });
  assert.deepEqual(www.spec!.accessModes, ['ReadWriteOnce']);
});

test('available means Ready for more than minReadySeconds since the Ready transition', () => {
  const now = Date.parse('2026-01-01T00:00:20Z');
  const pod = (phase: string, since: string): Pod => ({ metadata: { name: 'web-0' }, status: { phase, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }] } });
  assert.equal(isRunningAndAvailable(pod('Running', '2026-01-01T00:00:20Z'), 0, now), true);
  assert.equal(isRunningAndAvailable(pod('Running', '2026-01-01T00:00:10Z'), 10, now), false, 'exactly minReadySeconds is not enough');
  assert.equal(isRunningAndAvailable(pod('Running', '2026-01-01T00:00:09Z'), 10, now), true);
  assert.equal(isRunningAndAvailable(pod('Pending', '2026-01-01T00:00:00Z'), 0, now), false);
});

test('a recreated pod takes the current revision below the partition (relative to start), else the update revision', () => {
  const revisionOf = (set: StatefulSet, ordinal: number) =>
    newVersionedStatefulSetPod(set, set, 'web-cur', 'web-upd', ordinal).metadata!.labels!['controller-revision-hash'];
  const partitioned = stored({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  assert.deepEqual([0, 1, 2].map((o) => revisionOf(partitioned, o)), ['web-cur', 'web-cur', 'web-upd']);
  const shifted = stored({ ordinals: { start: 5 }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
  assert.deepEqual([5, 6].map((o) => revisionOf(shifted, o)), ['web-cur', 'web-upd']);
  const nilRolling = stored({ updateStrategy: { type: 'RollingUpdate' } });
  nilRolling.status = { replicas: 3, currentReplicas: 2 };
  assert.deepEqual([1, 2].map((o) => revisionOf(nilRolling, o)), ['web-cur', 'web-upd'], 'rollingUpdate unset: below start + currentReplicas');
  const onDelete = stored({ updateStrategy: { type: 'OnDelete' } });
  onDelete.status = { replicas: 3, currentReplicas: 3 };
  assert.equal(revisionOf(onDelete, 0), 'web-upd');
});

test('a rolling update completes only when updated, ready and created all equal spec.replicas', () => {
  const set = stored({ replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } });
  const status = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
  completeRollingUpdate(set, status);
  assert.deepEqual([status.currentRevision, status.currentReplicas], ['b', 3]);
  const partial = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
  completeRollingUpdate(set, partial);
  assert.equal(partial.currentRevision, 'a');
  const onDelete = { ...status, currentRevision: 'a', currentReplicas: 0 };
  completeRollingUpdate(stored({ replicas: 3, updateStrategy: { type: 'OnDelete' } }), onDelete);
  assert.equal(onDelete.currentRevision, 'a');
});

test('status is written when a count, a revision or the generation changes, not for collisionCount alone', () => {
  const set = stored();
  set.status = { observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2, currentReplicas: 2, updatedReplicas: 2, currentRevision: 'r', updateRevision: 'r', collisionCount: 0 };
  assert.equal(inconsistentStatus(set, { ...set.status, collisionCount: 1 }), false);
  assert.equal(inconsistentStatus(set, { ...set.status, observedGeneration: 2 }), true);
  assert.equal(inconsistentStatus(set, { ...set.status, availableReplicas: 1 }), true);
});

const annotated = (): StatefulSet => {
  const set = stored({ replicas: 3 });
  set.metadata = { ...set.metadata, annotations: { 'kubernetes.io/change-cause': 'first' } };
  return set;
};

test('a revision holds the template as a $patch:replace strategic patch, named <set>-<hash>', () => {
  const set = annotated();
  const rev = newRevision(set, 1, 0);
  const hash = rev.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL];
  assert.match(hash, /^[456789bcdf]{1,10}$/);
  assert.equal(rev.metadata!.name, `web-${hash}`);
  assert.equal(rev.metadata!.namespace, 'default');
  assert.deepEqual(rev.metadata!.labels, { app: 'nginx', [CONTROLLER_REVISION_HASH_LABEL]: hash });
  assert.deepEqual(rev.metadata!.annotations, { 'kubernetes.io/change-cause': 'first' });
  assert.deepEqual(rev.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal(rev.revision, 1);
  assert.deepEqual(Object.keys(rev.data as object), ['spec']);
  const data = rev.data as { spec: { template: PodTemplateSpec & { $patch?: string } } };
  assert.deepEqual(Object.keys(data.spec), ['template']);
  const metadata = { creationTimestamp: null, ...set.spec!.template.metadata };
  assert.deepEqual(data.spec.template, { $patch: 'replace', ...set.spec!.template, metadata }, 'Go encodes the zero creationTimestamp as null');
  assert.deepEqual(Object.keys(data.spec.template), ['$patch', 'metadata', 'spec'], 'keys in canonical order');
});

test('a revision of upstream\'s test set is named as upstream names it', () => {
  // From upstream's stateful_set_control_test.go: a defaulted set in 1.33 gets revision test-c77f6d978.
  const spec = JSON.parse(
    '{"containers":[{"image":"test","imagePullPolicy":"Always","name":"test","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"terminationGracePeriodSeconds":30}',
  );
  const set: StatefulSet = { metadata: { name: 'test', namespace: 'test' }, spec: { selector: {}, serviceName: '', template: { metadata: { annotations: { test: 'value' }, labels: { app: 'foo' } }, spec } } };
  assert.equal(newRevision(set, 1, 0).metadata!.name, 'test-c77f6d978');
  const frozen = structuredClone(set);
  Object.freeze(frozen.spec!.template);
  assert.equal(newRevision(frozen, 1, 0).metadata!.name, 'test-c77f6d978', 'the cached data of a frozen template');
  assert.equal(newRevision(frozen, 2, 0).metadata!.name, 'test-c77f6d978', 'and again from the cache');
});

test('the hash depends on the template and the collision count only', () => {
  const set = annotated();
  const base = newRevision(set, 1, 0).metadata!.name;
  const scaled = annotated();
  scaled.spec!.replicas = 7;
  scaled.spec!.updateStrategy = { type: 'OnDelete' };
  assert.equal(newRevision(scaled, 5, 0).metadata!.name, base);
  assert.notEqual(newRevision(set, 1, 1).metadata!.name, base);
  const changed = annotated();
  changed.spec!.template.spec!.containers[0].image = 'nginx:2';
  assert.notEqual(newRevision(changed, 1, 0).metadata!.name, base);
  const reordered = annotated();
  reordered.spec!.template = { spec: reordered.spec!.template.spec, metadata: reordered.spec!.template.metadata };
  assert.equal(hashControllerRevision(newRevision(reordered, 1, 0), 0), hashControllerRevision(newRevision(set, 1, 0), 0));
});

test('applying a revision restores its template and keeps the rest of the set', () => {
  const set = annotated();
  const rev = newRevision(set, 1, 0);
  const later = annotated();
  later.spec!.replicas = 5;
  later.spec!.template.spec!.containers[0].image = 'nginx:2';
  const restored = applyRevision(later, rev);
  assert.equal(restored.spec!.replicas, 5);
  assert.deepEqual(restored.spec!.template, set.spec!.template);
  assert.equal(later.spec!.template.spec!.containers[0].image, 'nginx:2', 'input untouched');
});

test('the next revision number is one past the last, or 1', () => {
  const rev = (revision: number) => ({ metadata: {}, revision });
  assert.equal(nextRevision([rev(1), rev(2)]), 3);
  assert.equal(nextRevision([]), 1);
});
