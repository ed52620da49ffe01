import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event, Node, NodeCondition, Pod, PodCondition, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { REFS } from '../../client/client.js';
import { Kubelet, NODE_DOWN_ANNOTATION } from '../../kubelet/kubelet.js';
import { VirtualClock } from '../../machinery/clock.js';
import { SimRuntime } from '../../runtime/sim/simruntime.js';
import { testCluster, waitFor, type TestCluster } from '../../testing/fixture.js';
import { NodeLifecycleController } from './node_lifecycle_controller.js';
import { TaintEvictionController } from './taint_eviction.js';

const DOWN = 'k8ts-m02';
const settle = () => new Promise((r) => setTimeout(r, 10));
const cond = <C extends { type: string }>(conds: C[] | undefined, type: string): C | undefined => conds?.find((c) => c.type === type);
const unreachableFor = (s: number): Toleration => ({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s });

describe('node failure: lifecycle controller and taint eviction', () => {
  const clock = new VirtualClock();
  let tc: TestCluster;
  let kubelets: Kubelet[];
  let controllers: Array<NodeLifecycleController | TaintEvictionController>;
  const advance = async (ms: number) => {
    for (let t = 0; t < ms; t += 1000) {
      await clock.advance(Math.min(1000, ms - t));
      await settle();
    }
  };
  const node = (): Promise<Node> => tc.client.resource(REFS.nodes).get('', DOWN);
  const pod = (name: string): Promise<Pod | undefined> => tc.client.resource(REFS.pods).get('default', name).catch(() => undefined);
  const events = async (reason: string): Promise<Event[]> => (await tc.client.resource(REFS.events).list('default')).items.filter((e) => e.reason === reason);
  let downAt = 0;

  before(async () => {
    tc = await testCluster(clock);
    kubelets = ['k8ts', DOWN].map((nodeName, i) => new Kubelet(tc.ctx, { nodeName, podCIDR: `10.244.${i}.0/24`, nodeIP: `192.168.49.${i + 2}`, runtime: new SimRuntime(clock), startDelayMs: 0, stopDelayMs: 0 }));
    controllers = [new NodeLifecycleController(tc.ctx), new TaintEvictionController(tc.ctx)];
    await tc.start();
    await Promise.all(kubelets.map((k) => k.whenRegistered()));
    for (const c of controllers) c.start();
    const spec = (tolerations?: Toleration[]) => ({ nodeName: DOWN, tolerations, containers: [{ name: 'nginx', image: 'nginx:1.27' }] });
    // DefaultTolerationSeconds gives every other pod 300 s on an unreachable node: only 0 s is intolerant.
    await tc.client.pods.create('default', { metadata: { name: 'intolerant' }, spec: spec([unreachableFor(0)]) });
    const defaulted = await tc.client.pods.create('default', { metadata: { name: 'defaulted' }, spec: spec() });
    assert.deepEqual(
      defaulted.spec?.tolerations?.map((t: Toleration) => `${t.key}:${t.effect}:${t.tolerationSeconds}`),
      ['node.kubernetes.io/not-ready:NoExecute:300', 'node.kubernetes.io/unreachable:NoExecute:300'],
    );
    await tc.client.pods.create('default', { metadata: { name: 'tolerates-30s' }, spec: spec([unreachableFor(30)]) });
    await tc.client.pods.create('default', { metadata: { name: 'forever' }, spec: spec([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]) });
    await waitFor(async () => (await Promise.all(['intolerant', 'tolerates-30s', 'forever'].map(pod))).every((p) => cond(p?.status?.conditions, 'Ready')?.status === 'True'), 'pods Ready', 5000, () => advance(1000));
  });
  after(() => {
    for (const c of controllers) c.stop();
    for (const k of kubelets) k.stop();
    tc.stop();
  });

  it('keeps a heartbeating node Ready and untainted', async () => {
    await advance(60_000);
    const n = await node();
    assert.equal(cond(n.status?.conditions, 'Ready')?.status, 'True');
    assert.deepEqual(n.spec?.taints ?? [], []);
  });

  it('turns a silent node Unknown after the 40 s grace period and taints it unreachable', async () => {
    await tc.client.nodes.patch('', DOWN, 'merge', { metadata: { annotations: { [NODE_DOWN_ANNOTATION]: 'true' } } });
    downAt = clock.now();
    await advance(35_000);
    assert.equal(cond((await node()).status?.conditions, 'Ready')?.status, 'True', 'still within the grace period');
    const n = await waitFor(async () => {
      const x = await node();
      return cond(x.status?.conditions, 'Ready')?.status === 'Unknown' ? x : undefined;
    }, 'Ready Unknown', 5000, () => advance(1000));
    assert.ok(clock.now() - downAt <= 50_000, `Unknown after ${clock.now() - downAt} ms`);
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      const c = cond(n!.status!.conditions as NodeCondition[], type)!;
      assert.deepEqual([c.status, c.reason, c.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'], type);
    }
    const t = await waitFor(async () => {
      const taints = (await node()).spec?.taints ?? [];
      return taints.length === 2 ? taints : undefined;
    }, 'two taints', 5000, () => advance(1000));
    assert.deepEqual(t!.map((x: Taint) => `${x.key}:${x.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    assert.ok(t!.every((x: Taint) => x.timeAdded));
    const notReady = (await events('NodeNotReady')).find((e) => e.involvedObject.kind === 'Node')!;
    assert.equal(notReady.message, `Node ${DOWN} status is now: NodeNotReady`);
    assert.equal(notReady.source?.component, 'node-controller');
  });

  it('marks the pods not Ready and deletes the intolerant one at once, gracefully', async () => {
    const forever = (await pod('forever'))!;
    assert.equal(cond(forever.status?.conditions, 'Ready')?.status, 'False');
    const p = await waitFor(async () => {
      const x = await pod('intolerant');
      return x?.metadata?.deletionTimestamp ? x : undefined;
    }, 'intolerant Terminating', 5000, () => advance(1000));
    const dt = cond(p!.status?.conditions as PodCondition[], 'DisruptionTarget')!;
    assert.deepEqual([dt.status, dt.reason, dt.message], ['True', 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint']);
    assert.ok(!(await pod('tolerates-30s'))?.metadata?.deletionTimestamp, 'the tolerating pod waits');
    const marking = (await events('TaintManagerEviction')).map((e) => e.message);
    assert.ok(marking.includes('Marking for deletion Pod default/intolerant'), marking.join());
    assert.ok((await events('NodeNotReady')).some((e) => e.involvedObject.name === 'forever' && e.message === 'Node is not ready' && e.type === 'Warning'));
  });

  it('deletes a pod tolerating unreachable for 30 s after those 30 s; one tolerating forever stays', async () => {
    const tainted = Date.parse((await node()).spec!.taints!.find((t) => t.effect === 'NoExecute')!.timeAdded!);
    await waitFor(async () => (await pod('tolerates-30s'))?.metadata?.deletionTimestamp, 'tolerates-30s Terminating', 5000, () => advance(1000));
    const waited = clock.now() - tainted;
    assert.ok(waited >= 30_000 && waited <= 32_000, `deleted after ${waited} ms`);
    await advance(120_000);
    assert.ok(!(await pod('forever'))?.metadata?.deletionTimestamp);
    assert.ok((await pod('intolerant'))?.metadata?.deletionTimestamp, 'Terminating while the node is down');
  });

  it('when the node is back: Ready, taints removed, Terminating pods finished, the rest running', async () => {
    await tc.client.nodes.patch('', DOWN, 'merge', { metadata: { annotations: { [NODE_DOWN_ANNOTATION]: null } } });
    await waitFor(async () => cond((await node()).status?.conditions, 'Ready')?.status === 'True' && !(await node()).spec?.taints?.length, 'node healthy and untainted', 5000, () => advance(1000));
    await waitFor(async () => !(await pod('intolerant')) && !(await pod('tolerates-30s')), 'evicted pods gone', 5000, () => advance(1000));
    await waitFor(async () => cond((await pod('forever'))?.status?.conditions, 'Ready')?.status === 'True', 'forever Ready again', 5000, () => advance(1000));
  });
});

describe('node lifecycle: every node down', () => {
  it('does not taint NoExecute when the whole cluster is disrupted', async () => {
    const clock = new VirtualClock();
    const tc = await testCluster(clock);
    const kubelet = new Kubelet(tc.ctx, { nodeName: 'k8ts', podCIDR: '10.244.0.0/24', nodeIP: '192.168.49.2', runtime: new SimRuntime(clock), startDelayMs: 0, stopDelayMs: 0 });
    const nlc = new NodeLifecycleController(tc.ctx, { nodeMonitorGracePeriodMs: 20_000 });
    await tc.start();
    await kubelet.whenRegistered();
    nlc.start();
    try {
      await tc.client.nodes.patch('', 'k8ts', 'merge', { metadata: { annotations: { [NODE_DOWN_ANNOTATION]: 'true' } } });
      for (let i = 0; i < 60; i++) {
        await clock.advance(1000);
        await settle();
      }
      const n = await tc.client.resource(REFS.nodes).get('', 'k8ts');
      assert.equal(cond(n.status?.conditions, 'Ready')?.status, 'Unknown');
      assert.deepEqual(n.spec?.taints?.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule']);
    } finally {
      nlc.stop();
      kubelet.stop();
      tc.stop();
    }
  });
});
