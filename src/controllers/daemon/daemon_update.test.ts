import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { REFS } from '../../client/client.js';
import { daemonSet, Harness, node, NS, settle, until, waitFor } from './daemon_test_harness.js';

let h: Harness;
afterEach(() => h?.stop());

const three = () => [node('node-1'), node('node-2'), node('node-3')];
const HASH = 'controller-revision-hash';

async function readyOnEveryNode(): Promise<void> {
  const by = await h.waitForNodes(['node-1', 'node-2', 'node-3']);
  for (const [name] of Object.values(by)) await h.markReady(name);
  await waitFor(async () => (await h.getSet()).status?.numberAvailable === 3, '3 available');
}

const hashes = async (): Promise<string[]> => (await h.pods()).map((p) => p.metadata!.labels![HASH]);

test('RollingUpdate with maxUnavailable 1 replaces one node at a time, as each new pod becomes ready', async () => {
  h = await Harness.start(three());
  await h.createSet(daemonSet());
  await readyOnEveryNode();
  const [oldHash] = await hashes();
  await h.updateSpec((s) => (s.template.spec!.containers[0].image = 'fluentd:v2'));
  const revisions = await until(async () => {
    const items = (await h.client.resource(REFS.controllerrevisions).list(NS)).items;
    return items.length === 2 && items;
  }, 'two revisions');
  const newRev = revisions.find((r) => r.revision === 2)!;
  const newHash = newRev.metadata.labels![HASH];
  assert.notEqual(newHash, oldHash);
  assert.equal(newRev.metadata.name, `fluentd-${newHash}`);
  const updatedNodes = new Set<string>();
  for (let round = 1; round <= 3; round++) {
    const fresh = await until(async () => {
      const pods = await h.pods();
      const p = pods.find((x) => x.metadata!.labels![HASH] === newHash && !x.status?.conditions);
      return pods.length === 3 && p;
    }, `new pod of round ${round}`);
    await settle();
    const pods = await h.pods();
    assert.equal(pods.filter((p) => p.metadata!.labels![HASH] === oldHash).length, 3 - round, 'no other old pod goes while the new one is unready');
    const nodeName = fresh.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0].matchFields![0].values![0];
    assert.ok(!updatedNodes.has(nodeName));
    updatedNodes.add(nodeName);
    await h.markReady(fresh.metadata!.name!);
  }
  await waitFor(async () => {
    const s = (await h.getSet()).status;
    return s?.updatedNumberScheduled === 3 && s.numberAvailable === 3;
  }, 'all updated and available');
  assert.deepEqual(await hashes(), [newHash, newHash, newHash]);
});

test('maxSurge 1 (maxUnavailable 0) creates the new pod beside the old and deletes the old once the new is ready', async () => {
  h = await Harness.start([node('node-1')]);
  await h.createSet(daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
  const [old] = (await h.waitForNodes(['node-1']))['node-1'];
  await h.markReady(old);
  await waitFor(async () => (await h.getSet()).status?.numberAvailable === 1, 'available');
  await h.updateSpec((s) => (s.template.spec!.containers[0].image = 'fluentd:v2'));
  const surge = await until(async () => {
    const pods = await h.pods();
    return pods.length === 2 && pods.find((p) => p.metadata!.name !== old);
  }, 'surge pod beside the old one');
  await settle();
  assert.equal((await h.pods()).length, 2, 'the old pod stays while the new one is unready');
  await h.markReady(surge.metadata!.name!);
  await waitFor(async () => {
    const pods = await h.pods();
    return pods.length === 1 && pods[0].metadata!.name === surge.metadata!.name;
  }, 'old pod removed');
});

test('OnDelete keeps old pods until one is deleted, then recreates it from the new template', async () => {
  h = await Harness.start(three());
  await h.createSet(daemonSet({ updateStrategy: { type: 'OnDelete' } }));
  await readyOnEveryNode();
  const [oldHash] = await hashes();
  await h.updateSpec((s) => (s.template.spec!.containers[0].image = 'fluentd:v2'));
  await waitFor(async () => (await h.client.resource(REFS.controllerrevisions).list(NS)).items.length === 2, 'new revision');
  await waitFor(async () => {
    const ds = await h.getSet();
    return ds.status?.observedGeneration === ds.metadata.generation;
  }, 'new generation observed');
  await settle();
  assert.deepEqual(await hashes(), [oldHash, oldHash, oldHash]);
  assert.equal((await h.getSet()).status?.updatedNumberScheduled, 0);
  const victim = (await h.podsByNode())['node-2'][0];
  await h.client.resource(REFS.pods).delete(NS, victim);
  const by = await until(async () => {
    const b = await h.podsByNode();
    return b['node-2']?.length === 1 && b['node-2'][0] !== victim && b;
  }, 'replacement on node-2');
  const pods = await h.pods();
  const replacement = pods.find((p) => p.metadata!.name === by['node-2'][0])!;
  assert.notEqual(replacement.metadata!.labels![HASH], oldHash);
  assert.equal(pods.filter((p) => p.metadata!.labels![HASH] === oldHash).length, 2);
  assert.equal(replacement.spec!.containers[0].image, 'fluentd:v2');
});

test('revisionHistoryLimit: old revisions no live pod uses are deleted', async () => {
  h = await Harness.start([node('node-1')]);
  await h.createSet(daemonSet({ revisionHistoryLimit: 0 }));
  const [first] = (await h.waitForNodes(['node-1']))['node-1'];
  await h.markReady(first);
  await h.updateSpec((s) => (s.template.spec!.containers[0].image = 'fluentd:v2'));
  const replacement = await until(async () => {
    const by = await h.podsByNode();
    return by['node-1']?.length === 1 && by['node-1'][0] !== first && by['node-1'][0];
  }, 'replacement pod');
  await h.markReady(replacement);
  const revisions = await until(async () => {
    const items = (await h.client.resource(REFS.controllerrevisions).list(NS)).items;
    return items.length === 1 && items;
  }, 'only the current revision left');
  assert.equal(revisions[0].revision, 2);
});
