import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { REFS } from '../../client/client.js';
import { daemonSet, Harness, node, NS, waitFor } from './daemon_test_harness.js';
import { TEMPLATE_GENERATION_ANNOTATION } from './daemonset_util.js';

let h: Harness;
afterEach(() => h?.stop());

const three = () => [node('node-1'), node('node-2'), node('node-3')];

test('one pod per node, pinned by a metadata.name matchFields term, with labels, owner and daemon tolerations', async () => {
  h = await Harness.start(three());
  const ds = daemonSet();
  ds.metadata!.annotations = { [TEMPLATE_GENERATION_ANNOTATION]: '1' };
  const created = await h.createSet(ds);
  await h.waitForNodes(['node-1', 'node-2', 'node-3']);
  const revisions = (await h.client.resource(REFS.controllerrevisions).list(NS)).items;
  assert.equal(revisions.length, 1);
  const hash = revisions[0].metadata.labels!['controller-revision-hash'];
  assert.equal(revisions[0].metadata.name, `fluentd-${hash}`);
  assert.equal(revisions[0].revision, 1);
  for (const pod of await h.pods()) {
    assert.ok(pod.metadata);
    assert.equal(pod.metadata.generateName, 'fluentd-');
    assert.deepEqual(pod.metadata.labels, { app: 'fluentd', 'controller-revision-hash': hash, 'pod-template-generation': '1' });
    assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const terms = pod.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
    assert.equal(terms.length, 1);
    assert.deepEqual(terms[0].matchFields, [{ key: 'metadata.name', operator: 'In', values: [terms[0].matchFields![0].values![0]] }]);
    assert.equal(pod.spec!.nodeName, undefined, 'binding is left to the scheduler');
    assert.deepEqual(
      pod.spec!.tolerations!.map((t) => `${t.key}:${t.effect}`),
      [
        'node.kubernetes.io/not-ready:NoExecute',
        'node.kubernetes.io/unreachable:NoExecute',
        'node.kubernetes.io/disk-pressure:NoSchedule',
        'node.kubernetes.io/memory-pressure:NoSchedule',
        'node.kubernetes.io/pid-pressure:NoSchedule',
        'node.kubernetes.io/unschedulable:NoSchedule',
      ],
    );
  }
  await waitFor(async () => (await h.events()).filter((e) => e.startsWith('SuccessfulCreate Created pod: fluentd-')).length === 3, '3 SuccessfulCreate events');
});

test('a NoSchedule taint keeps the pod off the node unless the set tolerates it', async () => {
  h = await Harness.start([node('node-1'), node('node-2', {}, { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] })]);
  await h.createSet(daemonSet());
  await h.waitForNodes(['node-1']);
  await waitFor(async () => (await h.getSet()).status?.desiredNumberScheduled === 1, 'desired 1');
  const tolerating = daemonSet({}, 'tolerant');
  tolerating.spec!.template.spec!.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }];
  await h.createSet(tolerating);
  await h.waitForNodes(['node-1', 'node-2'], 'tolerant');
});

test('nodeSelector: only matching nodes; labelling a node adds a pod, unlabelling removes it', async () => {
  h = await Harness.start([node('node-1', { disk: 'ssd' }), node('node-2'), node('node-3', { disk: 'ssd' })]);
  const ds = daemonSet();
  ds.spec!.template.spec!.nodeSelector = { disk: 'ssd' };
  await h.createSet(ds);
  await h.waitForNodes(['node-1', 'node-3']);
  await h.updateNode('node-2', (n) => (n.metadata!.labels!.disk = 'ssd'));
  await h.waitForNodes(['node-1', 'node-2', 'node-3']);
  const [removed] = (await h.podsByNode())['node-1'];
  await h.updateNode('node-1', (n) => delete n.metadata!.labels!.disk);
  await h.waitForNodes(['node-2', 'node-3']);
  await waitFor(async () => (await h.events()).includes(`SuccessfulDelete Deleted pod: ${removed}`), 'SuccessfulDelete event');
  await waitFor(async () => {
    const s = (await h.getSet()).status;
    return s?.desiredNumberScheduled === 2 && s.currentNumberScheduled === 2 && s.numberMisscheduled === 0;
  }, 'status 2/2, none misscheduled');
});

test('a new node gets a pod; a cordoned node still gets one', async () => {
  h = await Harness.start([node('node-1')]);
  await h.createSet(daemonSet());
  await h.waitForNodes(['node-1']);
  await h.client.resource(REFS.nodes).create('', node('node-2'));
  await h.waitForNodes(['node-1', 'node-2']);
  // kubectl cordon sets spec.unschedulable; the node lifecycle controller adds the matching taint.
  await h.client.resource(REFS.nodes).create('', node('node-3', {}, { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }));
  await h.waitForNodes(['node-1', 'node-2', 'node-3']);
});

test('status counts follow readiness', async () => {
  h = await Harness.start(three());
  await h.createSet(daemonSet());
  const by = await h.waitForNodes(['node-1', 'node-2', 'node-3']);
  await waitFor(async () => (await h.getSet()).status?.currentNumberScheduled === 3, 'current 3');
  await h.markReady(by['node-1'][0]);
  await h.markReady(by['node-2'][0]);
  const ds = await h.getSet();
  await waitFor(async () => (await h.getSet()).status?.numberReady === 2, 'numberReady 2');
  assert.deepEqual(
    (await h.getSet()).status,
    {
      currentNumberScheduled: 3,
      desiredNumberScheduled: 3,
      numberMisscheduled: 0,
      numberReady: 2,
      updatedNumberScheduled: 3,
      numberAvailable: 2,
      numberUnavailable: 1,
      observedGeneration: ds.metadata.generation,
    },
  );
});

test('duplicates on one node: the scheduled pod is kept and the other deleted', async () => {
  h = await Harness.start([node('node-1')]);
  await h.createSet(daemonSet());
  const [first] = (await h.waitForNodes(['node-1']))['node-1'];
  // An orphan of the current revision already bound to node-1 is adopted and, being scheduled, sorts first.
  // (Without the hash label it would be an old, unavailable pod that the rolling update replaces.)
  const hash = (await h.pods())[0].metadata!.labels!['controller-revision-hash'];
  await h.client.resource(REFS.pods).create(NS, { metadata: { name: 'manual', labels: { app: 'fluentd', 'controller-revision-hash': hash } }, spec: { nodeName: 'node-1', containers: [{ name: 'agent', image: 'fluentd:v1' }] } });
  await waitFor(async () => {
    const by = await h.podsByNode();
    return by['node-1']?.length === 1 && by['node-1'][0] === 'manual';
  }, 'only the scheduled pod left');
  await waitFor(async () => (await h.events()).includes(`SuccessfulDelete Deleted pod: ${first}`), 'SuccessfulDelete event');
});

test('a failed daemon pod is deleted and replaced', async () => {
  h = await Harness.start([node('node-1')]);
  await h.createSet(daemonSet());
  const [first] = (await h.waitForNodes(['node-1']))['node-1'];
  await h.markFailed(first);
  await waitFor(async () => {
    const by = await h.podsByNode();
    return by['node-1']?.length === 1 && by['node-1'][0] !== first;
  }, 'replacement pod');
  await waitFor(async () => (await h.events()).includes(`FailedDaemonPod Found failed daemon pod ${NS}/${first} on node node-1, will try to kill it`), 'FailedDaemonPod event');
});
