import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  addOrUpdateDaemonPodTolerations,
  comparePodsByCreationTimestampAndPhase,
  createPodTemplate,
  getTargetNodeName,
  isPodUpdated,
  replaceDaemonSetPodNodeNameNodeAffinity,
  scaledValue,
  surgeCount,
  unavailableCount,
} from './daemonset_util.js';
import { daemonSet } from './daemon_test_harness.js';

test('daemon tolerations: network-unavailable only with hostNetwork; an equal toleration is not duplicated', () => {
  const plain = addOrUpdateDaemonPodTolerations({ containers: [] });
  assert.equal(plain.length, 6);
  assert.ok(!plain.some((t) => t.key === 'node.kubernetes.io/network-unavailable'));
  const host = addOrUpdateDaemonPodTolerations({ containers: [], hostNetwork: true });
  assert.deepEqual(host.at(-1), { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  // Same key/operator/value/effect but a tolerationSeconds: replaced by upstream's (unbounded) one.
  const mine = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const merged = addOrUpdateDaemonPodTolerations({ containers: [], tolerations: [mine, { key: 'x', operator: 'Exists' }] });
  assert.equal(merged.length, 7);
  assert.deepEqual(merged[0], { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' });
  assert.deepEqual(merged[1], { key: 'x', operator: 'Exists' });
});

test('createPodTemplate adds the hash label, and the generation label only when known', () => {
  const t = daemonSet().spec!.template;
  assert.deepEqual(createPodTemplate(t, 3, 'abc').metadata!.labels, { app: 'fluentd', 'pod-template-generation': '3', 'controller-revision-hash': 'abc' });
  assert.deepEqual(createPodTemplate(t, undefined, 'abc').metadata!.labels, { app: 'fluentd', 'controller-revision-hash': 'abc' });
  assert.equal(t.spec!.tolerations, undefined, 'the set is not changed');
});

test('ReplaceDaemonSetPodNodeNameNodeAffinity replaces every required term, keeps preferred ones', () => {
  const pin = [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }];
  assert.deepEqual(replaceDaemonSetPodNodeNameNodeAffinity(undefined, 'n1'), { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: pin } } });
  const preferred = [{ weight: 1, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }];
  const out = replaceDaemonSetPodNodeNameNodeAffinity(
    {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n9'] }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: preferred,
      },
      podAntiAffinity: {},
    },
    'n1',
  );
  assert.deepEqual(out, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: pin }, preferredDuringSchedulingIgnoredDuringExecution: preferred }, podAntiAffinity: {} });
});

test('GetTargetNodeName: nodeName first, then the metadata.name In match field; errors otherwise', () => {
  const pod = (spec: Pod['spec']): Pod => ({ metadata: { name: 'p', namespace: 'd' }, spec });
  const affinity = (values: string[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values }] }] } } });
  assert.equal(getTargetNodeName(pod({ containers: [], nodeName: 'a', affinity: affinity(['b']) })), 'a');
  assert.equal(getTargetNodeName(pod({ containers: [], affinity: affinity(['b']) })), 'b');
  assert.throws(() => getTargetNodeName(pod({ containers: [], affinity: affinity(['b', 'c']) })), /not unique/);
  assert.throws(() => getTargetNodeName(pod({ containers: [] })), /no spec.affinity/);
});

test('IsPodUpdated: the hash or the template generation matches', () => {
  const pod: Pod = { metadata: { labels: { 'controller-revision-hash': 'h1', 'pod-template-generation': '2' } } };
  assert.equal(isPodUpdated(pod, 'h1', undefined), true);
  assert.equal(isPodUpdated(pod, 'h2', 2), true);
  assert.equal(isPodUpdated(pod, 'h2', 3), false);
  assert.equal(isPodUpdated(pod, '', undefined), false);
});

test('maxUnavailable and maxSurge: ints as is, percentages of the desired count rounded up', () => {
  assert.equal(scaledValue('30%', 10, true), 3);
  assert.equal(scaledValue('25%', 3, true), 1);
  assert.equal(scaledValue('50%', 3, true), 2);
  assert.equal(scaledValue(2, 3, true), 2);
  assert.throws(() => scaledValue('2', 3, true), /not a percentage/);
  const ds = daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '34%', maxSurge: '10%' } } });
  assert.equal(unavailableCount(ds, 3), 2);
  assert.equal(surgeCount(ds, 3), 1);
  assert.equal(unavailableCount(daemonSet({ updateStrategy: { type: 'OnDelete' } }), 3), 0);
});

test('pods sort scheduled first, then oldest, then by name', () => {
  const p = (name: string, ts: string, nodeName?: string): Pod => ({ metadata: { name, creationTimestamp: ts }, spec: { containers: [], nodeName } });
  const pods = [p('b', '2024-01-01T00:00:01Z'), p('a', '2024-01-01T00:00:01Z'), p('z', '2024-01-01T00:00:09Z', 'n'), p('c', '2024-01-01T00:00:00Z')];
  assert.deepEqual(pods.sort(comparePodsByCreationTimestampAndPhase).map((x) => x.metadata!.name), ['z', 'c', 'a', 'b']);
});
