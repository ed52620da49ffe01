import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import {
  applyRevision,
  CONTROLLER_REVISION_HASH_LABEL,
  equalRevision,
  hashControllerRevision,
  newRevision,
  nextRevision,
  safeEncodeString,
  sortControllerRevisions,
} from './history.js';
import { webSet } from './stateful_set_testkit.js';

const stored = (): StatefulSet => {
  const set = webSet({ replicas: 3 });
  set.metadata = { ...set.metadata, uid: 'set-uid', annotations: { 'kubernetes.io/change-cause': 'first' } };
  return set;
};

test('SafeEncodeString maps each character through the consonant-and-digit alphabet', () => {
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});

test('a revision holds the template as a $patch:replace strategic patch, named <set>-<hash>', () => {
  const set = stored();
  const rev = newRevision(set, 1, 0);
  const hash = rev.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL];
  assert.match(hash, /^[456789bcdf]{1,10}$/);
  assert.equal(rev.metadata!.name, `web-${hash}`);
  assert.deepEqual(rev.metadata!.labels, { app: 'nginx', [CONTROLLER_REVISION_HASH_LABEL]: hash });
  assert.deepEqual(rev.metadata!.annotations, { 'kubernetes.io/change-cause': 'first' });
  assert.deepEqual(rev.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal(rev.revision, 1);
  assert.deepEqual(Object.keys(rev.data as object), ['spec']);
  assert.deepEqual(Object.keys((rev.data as any).spec), ['template']);
  const metadata = { creationTimestamp: null, ...set.spec!.template.metadata };
  assert.deepEqual((rev.data as any).spec.template, { $patch: 'replace', ...set.spec!.template, metadata }, 'Go encodes the zero creationTimestamp as null');
  assert.deepEqual(Object.keys((rev.data as any).spec.template), ['$patch', 'metadata', 'spec'], 'keys in canonical order');
});

test('the hash is FNV-32 over the data bytes and the collision count, as upstream names revisions', () => {
  // From upstream's stateful_set_control_test.go: this data (a defaulted set in 1.33) hashes to c77f6d978.
  const data = JSON.parse(
    '{"spec":{"template":{"$patch":"replace","metadata":{"annotations":{"test":"value"},"creationTimestamp":null,"labels":{"app":"foo"}},"spec":{"containers":[{"image":"test","imagePullPolicy":"Always","name":"test","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"terminationGracePeriodSeconds":30}}}}',
  );
  assert.equal(hashControllerRevision({ metadata: {}, revision: 1, data }, 0), 'c77f6d978');
  const set: StatefulSet = { metadata: { name: 'test', namespace: 'test' }, spec: { selector: {}, serviceName: '', template: { metadata: { annotations: { test: 'value' }, labels: { app: 'foo' } }, spec: data.spec.template.spec } } };
  assert.equal(newRevision(set, 1, 0).metadata!.name, 'test-c77f6d978');
  // json.Marshal writes "&" and ">" as \u0026 and \u003e; the hash is over those bytes.
  const withShell = { spec: { template: { $patch: 'replace', spec: { containers: [{ command: ['sh', '-c', 'a && b > c'], name: 'c' }] } } } };
  const goBytes = '{"spec":{"template":{"$patch":"replace","spec":{"containers":[{"command":["sh","-c","a \\u0026\\u0026 b \\u003e c"],"name":"c"}]}}}}0';
  let h = 0x811c9dc5;
  for (const b of Buffer.from(goBytes)) h = (Math.imul(h, 0x01000193) ^ b) >>> 0;
  assert.equal(hashControllerRevision({ metadata: {}, revision: 1, data: withShell }, 0), safeEncodeString(String(h)));
});

test('the hash depends on the template and the collision count only', () => {
  const set = stored();
  const base = newRevision(set, 1, 0).metadata!.name;
  const scaled = stored();
  scaled.spec!.replicas = 7;
  scaled.spec!.updateStrategy = { type: 'OnDelete' };
  assert.equal(newRevision(scaled, 5, 0).metadata!.name, base);
  assert.notEqual(newRevision(set, 1, 1).metadata!.name, base);
  const changed = stored();
  changed.spec!.template.spec!.containers[0].image = 'nginx:2';
  assert.notEqual(newRevision(changed, 1, 0).metadata!.name, base);
  const reordered = stored();
  reordered.spec!.template = { spec: reordered.spec!.template.spec, metadata: reordered.spec!.template.metadata };
  assert.equal(hashControllerRevision(newRevision(reordered, 1, 0), 0), hashControllerRevision(newRevision(set, 1, 0), 0));
});

test('applying a revision restores its template and keeps the rest of the set', () => {
  const set = stored();
  const rev = newRevision(set, 1, 0);
  const later = stored();
  later.spec!.replicas = 5;
  later.spec!.template.spec!.containers[0].image = 'nginx:2';
  const restored = applyRevision(later, rev);
  assert.equal(restored.spec!.replicas, 5);
  assert.deepEqual(restored.spec!.template, set.spec!.template);
  assert.equal(later.spec!.template.spec!.containers[0].image, 'nginx:2', 'input untouched');
});

test('revision numbers, ordering and equality', () => {
  const rev = (name: string, revision: number, created: string, data: object = {}): ControllerRevision => ({
    metadata: { name, creationTimestamp: created, labels: { [CONTROLLER_REVISION_HASH_LABEL]: name } },
    revision,
    data,
  });
  const list = sortControllerRevisions([rev('c', 2, '2026-01-01T00:00:00Z'), rev('b', 1, '2026-01-01T00:00:05Z'), rev('a', 1, '2026-01-01T00:00:05Z'), rev('z', 1, '2026-01-01T00:00:01Z')]);
  assert.deepEqual(
    list.map((r) => r.metadata!.name),
    ['z', 'a', 'b', 'c'],
  );
  assert.equal(nextRevision(list), 3);
  assert.equal(nextRevision([]), 1);
  assert.equal(equalRevision(rev('x', 1, '', { spec: 1 }), rev('y', 2, '', { spec: 1 })), true, 'equal data, whatever the labels');
  assert.equal(equalRevision(rev('x', 1, '', { spec: 1 }), rev('x', 1, '', { spec: 2 })), false);
});
