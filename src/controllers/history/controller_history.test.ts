import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  controllerRevisionName,
  equalRevision,
  findEqualRevisions,
  hashControllerRevision,
  newControllerRevision,
  safeEncodeString,
  sortControllerRevisions,
} from './controller_history.js';

const DAEMON_SET_KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
const parent = { metadata: { name: 'fluentd', namespace: 'kube-system', uid: 'ds-uid' } };

test('SafeEncodeString maps each character through the consonant-and-digit alphabet', () => {
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});

test('the hash is FNV-32 over the data bytes and the collision count, as upstream names revisions', () => {
  // From upstream's stateful_set_control_test.go: this data (a defaulted set in 1.33) hashes to c77f6d978.
  const data = JSON.parse(
    '{"spec":{"template":{"$patch":"replace","metadata":{"annotations":{"test":"value"},"creationTimestamp":null,"labels":{"app":"foo"}},"spec":{"containers":[{"image":"test","imagePullPolicy":"Always","name":"test","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"terminationGracePeriodSeconds":30}}}}',
  );
  assert.equal(hashControllerRevision({ metadata: {}, revision: 1, data }, 0), 'c77f6d978');
  assert.equal(hashControllerRevision({ metadata: {}, revision: 1, data: Object.freeze(data) }, 0), 'c77f6d978', 'frozen data hashes alike');
  assert.notEqual(hashControllerRevision({ metadata: {}, revision: 1, data }, 1), 'c77f6d978', 'the collision count is hashed');
  assert.notEqual(hashControllerRevision({ metadata: {}, revision: 1, data }), 'c77f6d978', 'no collision count, no probe bytes');
  // json.Marshal writes "&" and ">" as \u0026 and \u003e; the hash is over those bytes.
  const withShell = { spec: { template: { $patch: 'replace', spec: { containers: [{ command: ['sh', '-c', 'a && b > c'], name: 'c' }] } } } };
  const goBytes = '{"spec":{"template":{"$patch":"replace","spec":{"containers":[{"command":["sh","-c","a \\u0026\\u0026 b \\u003e c"],"name":"c"}]}}}}0';
  let h = 0x811c9dc5;
  for (const b of Buffer.from(goBytes)) h = (Math.imul(h, 0x01000193) ^ b) >>> 0;
  assert.equal(hashControllerRevision({ metadata: {}, revision: 1, data: withShell }, 0), safeEncodeString(String(h)));
  const reordered = { spec: { template: { spec: withShell.spec.template.spec, $patch: 'replace' } } };
  assert.equal(hashControllerRevision({ metadata: {}, revision: 1, data: reordered }, 0), safeEncodeString(String(h)), 'key order does not matter');
});

test('NewControllerRevision: template labels plus the hash label, a controllerRef, named <parent>-<hash>', () => {
  const data = { spec: { template: { metadata: { labels: { app: 'fluentd' } } } } };
  const labels = { app: 'fluentd' };
  const rev = newControllerRevision(parent, DAEMON_SET_KIND, labels, data, 3, 0);
  const hash = hashControllerRevision({ metadata: {}, revision: 3, data }, 0);
  assert.equal(rev.metadata!.name, `fluentd-${hash}`);
  assert.deepEqual(rev.metadata!.labels, { app: 'fluentd', [CONTROLLER_REVISION_HASH_LABEL]: hash });
  assert.deepEqual(labels, { app: 'fluentd' }, 'the template labels are copied');
  assert.deepEqual(rev.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal(rev.revision, 3);
  assert.equal(rev.data, data);
  assert.notEqual(newControllerRevision(parent, DAEMON_SET_KIND, labels, data, 3, 1).metadata!.name, rev.metadata!.name, 'a collision count gives another name');
  assert.equal(newControllerRevision(parent, DAEMON_SET_KIND, labels, data, 9, 0).metadata!.name, rev.metadata!.name, 'the revision number is not hashed');
});

test('ControllerRevisionName cuts the prefix to 223 characters', () => {
  assert.equal(controllerRevisionName('web', 'abc'), 'web-abc');
  assert.equal(controllerRevisionName('x'.repeat(300), 'abc'), `${'x'.repeat(223)}-abc`);
});

test('revisions sort by number, then creationTimestamp, then name; equality is by data', () => {
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
  assert.equal(equalRevision(rev('x', 1, '', { spec: 1 }), rev('y', 2, '', { spec: 1 })), true, 'equal data, whatever the labels');
  assert.equal(equalRevision(rev('x', 1, '', { spec: 1 }), rev('x', 1, '', { spec: 2 })), false);
  const haystack = [rev('a', 1, '', { spec: 1 }), rev('b', 2, '', { spec: 2 }), rev('c', 3, '', { spec: 1 })];
  assert.deepEqual(
    findEqualRevisions(haystack, rev('n', 4, '', { spec: 1 })).map((r) => r.metadata!.name),
    ['a', 'c'],
  );
});
