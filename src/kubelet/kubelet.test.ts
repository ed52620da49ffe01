import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ContainerStatus, Event, Node, NodeCondition, Pod, PodCondition, PodSpec } from 'kubernetes-types/core/v1.js';
import { REFS } from '../client/client.js';
import type { Stored } from '../client/objects.js';
import type { ClientWatchEvent } from '../client/transport.js';
import { isStatusError } from '../machinery/errors.js';
import { SimRuntime } from '../runtime/sim/simruntime.js';
import { testCluster, waitFor, type TestCluster } from '../testing/fixture.js';
import { Kubelet } from './kubelet.js';

const NODE = 'k8ts';

function pod(name: string, extra: { annotations?: Record<string, string>; spec?: Partial<PodSpec> } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations: extra.annotations },
    spec: { nodeName: NODE, containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.21' }], ...extra.spec },
  };
}

const cond = (p: Pod | Node, type: string) => (p.status?.conditions ?? []).find((c: PodCondition | NodeCondition) => c.type === type)!;

async function events(tc: TestCluster, name: string): Promise<Array<Stored<Event>>> {
  const list = await tc.client.resource(REFS.events).list('default');
  return list.items.filter((e) => e.involvedObject.name === name);
}

describe('Kubelet', () => {
  let tc: TestCluster;
  let kubelet: Kubelet;

  before(async () => {
    tc = await testCluster();
    kubelet = new Kubelet(tc.ctx, { nodeName: NODE, podCIDR: '10.244.0.0/24', nodeIP: '192.168.49.2', runtime: new SimRuntime(tc.clock), startDelayMs: 0, stopDelayMs: 0 });
    await tc.start();
    await kubelet.whenRegistered();
  });
  after(() => {
    kubelet.stop();
    tc.stop();
  });

  it('sets its node Ready again when someone else marked it Unknown while it was alive', async () => {
    const node = await tc.client.nodes.get('', NODE);
    const conditions = (node.status?.conditions ?? []).map((c: NodeCondition) =>
      c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : c,
    );
    await tc.client.nodes.updateStatus('', { ...node, status: { ...node.status, conditions } });
    await waitFor(async () => cond(await tc.client.nodes.get('', NODE), 'Ready').status === 'True', 'Ready again');
    assert.equal(cond(await tc.client.nodes.get('', NODE), 'Ready').reason, 'KubeletReady');
  });

  it('registers the Node with labels, capacity, conditions and addresses', async () => {
    const node = await tc.client.nodes.get('', NODE);
    const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string] ?? process.arch;
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], NODE);
    assert.equal(node.metadata.labels['kubernetes.io/os'], 'linux');
    assert.equal(node.metadata.labels['kubernetes.io/arch'], arch);
    assert.deepEqual(node.spec.podCIDRs, ['10.244.0.0/24']);
    assert.equal(node.status.capacity.pods, '110');
    assert.match(node.status.capacity.memory, /^\d+Ki$/);
    assert.equal(node.status.allocatable.pods, '110');
    assert.deepEqual(
      node.status.conditions.map((c: NodeCondition) => [c.type, c.status, c.reason]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
        ['Ready', 'True', 'KubeletReady'],
      ],
    );
    assert.equal(cond(node, 'Ready').message, 'kubelet is posting ready status');
    assert.deepEqual(node.status.addresses, [
      { address: '192.168.49.2', type: 'InternalIP' },
      { address: NODE, type: 'Hostname' },
    ]);
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.32.4');
    assert.equal(node.status.nodeInfo.containerRuntimeVersion, 'sim://0.1.0');
    assert.equal(node.status.nodeInfo.architecture, arch);
  });

  it('renews its Lease in kube-node-lease', async () => {
    const lease = await waitFor(() => tc.client.leases.get('kube-node-lease', NODE).catch(() => undefined), 'lease');
    assert.equal(lease.spec.holderIdentity, NODE);
    assert.equal(lease.spec.leaseDurationSeconds, 40);
    assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(lease.metadata.ownerReferences[0].kind, 'Node');
  });

  it('takes a bound pod through ContainerCreating to Running and Ready with an IP from the CIDR', async () => {
    const seen: string[] = [];
    const h = tc.client.pods.watch('default', { fieldSelector: 'metadata.name=web-0' }, (ev) => {
      const s = ev.object.status;
      const c = s?.containerStatuses?.[0];
      seen.push(`${s?.phase}/${c?.state?.waiting?.reason ?? (c?.state?.running ? 'running' : '-')}/${c?.ready ?? '-'}`);
    }, () => {});
    const t0 = Date.now();
    await tc.client.pods.create('default', pod('web-0'));
    const p = await waitFor(async () => {
      const x = await tc.client.pods.get('default', 'web-0');
      return cond(x, 'Ready')?.status === 'True' && x;
    }, 'web-0 Ready');
    const took = Date.now() - t0;
    h.stop();
    assert.ok(took < 200, `became Ready in ${took} ms`);
    assert.equal(p.status.phase, 'Running');
    assert.match(p.status.podIP, /^10\.244\.0\.(\d+)$/);
    assert.notEqual(p.status.podIP, '10.244.0.1');
    assert.deepEqual(p.status.podIPs, [{ ip: p.status.podIP }]);
    assert.equal(p.status.hostIP, '192.168.49.2');
    assert.ok(p.status.startTime);
    assert.deepEqual(
      p.status.conditions.map((c: PodCondition) => [c.type, c.status]),
      [
        ['PodReadyToStartContainers', 'True'],
        ['Initialized', 'True'],
        ['Ready', 'True'],
        ['ContainersReady', 'True'],
        ['PodScheduled', 'True'],
      ],
    );
    const c = p.status.containerStatuses[0];
    assert.equal(c.ready, true);
    assert.equal(c.started, true);
    assert.equal(c.restartCount, 0);
    assert.ok(c.state.running.startedAt);
    assert.match(c.containerID, /^sim:\/\/[0-9a-f]{64}$/);
    assert.equal(c.image, 'registry.k8s.io/nginx-slim:0.21');
    assert.match(c.imageID, /^registry\.k8s\.io\/nginx-slim@sha256:[0-9a-f]{64}$/);
    assert.ok(seen.includes('Pending/ContainerCreating/false'), `ContainerCreating reported: ${seen.join(', ')}`);
    assert.equal(seen.at(-1), 'Running/running/true');
    await kubelet['recorder'].flush();
    const reasons = (await events(tc, 'web-0')).map((e) => e.reason);
    assert.deepEqual(reasons.sort(), ['Created', 'Pulled', 'Started']);
    const started = (await events(tc, 'web-0')).find((e) => e.reason === 'Started')!;
    assert.equal(started.message, 'Started container nginx');
    assert.deepEqual(started.source, { component: 'kubelet', host: NODE });
    assert.equal(started.involvedObject.fieldPath, 'spec.containers{nginx}');
  });

  it('runs init containers one by one before the containers', async () => {
    const statuses: string[] = [];
    const h = tc.client.pods.watch('default', { fieldSelector: 'metadata.name=init-pod' }, (ev) => {
      const s = ev.object.status;
      const ic = (s?.initContainerStatuses ?? []).map((x: ContainerStatus) => Object.keys(x.state!)[0]).join(',');
      statuses.push(`${s?.phase}:${ic}:${cond(ev.object, 'Initialized')?.status ?? '-'}`);
    }, () => {});
    await tc.client.pods.create(
      'default',
      pod('init-pod', {
        spec: {
          initContainers: [
            { name: 'one', image: 'busybox:1.36' },
            { name: 'two', image: 'busybox:1.36' },
          ],
        },
      }),
    );
    const p = await waitFor(async () => {
      const x = await tc.client.pods.get('default', 'init-pod');
      return cond(x, 'Ready')?.status === 'True' && x;
    }, 'init-pod Ready');
    h.stop();
    assert.deepEqual(
      p.status.initContainerStatuses.map((s: ContainerStatus) => [s.name, s.state!.terminated?.reason, s.state!.terminated?.exitCode, s.ready]),
      [
        ['one', 'Completed', 0, true],
        ['two', 'Completed', 0, true],
      ],
    );
    const one = p.status.initContainerStatuses[0].state.terminated;
    const two = p.status.initContainerStatuses[1].state.terminated;
    assert.ok(Date.parse(one.finishedAt) <= Date.parse(two.startedAt));
    assert.equal(statuses[1], 'Pending:waiting,waiting:False');
    // Never does the second init container run before the first completed.
    assert.ok(!statuses.some((s) => /:waiting,(running|terminated)/.test(s)), statuses.join(' | '));
  });

  it('flips Ready with the sim.k8ts.io/ready annotation', async () => {
    await tc.client.pods.create('default', pod('flaky', { annotations: { 'sim.k8ts.io/ready': 'false' } }));
    let p = await waitFor(async () => {
      const x = await tc.client.pods.get('default', 'flaky');
      return x.status.phase === 'Running' && x;
    }, 'flaky Running');
    assert.equal(cond(p, 'Ready').status, 'False');
    assert.equal(cond(p, 'Ready').reason, 'ContainersNotReady');
    assert.equal(cond(p, 'Ready').message, 'containers with unready status: [nginx]');
    assert.equal(cond(p, 'ContainersReady').reason, 'ContainersNotReady');
    await tc.client.pods.patch('default', 'flaky', 'merge', { metadata: { annotations: { 'sim.k8ts.io/ready': null } } });
    p = await waitFor(async () => {
      const x = await tc.client.pods.get('default', 'flaky');
      return cond(x, 'Ready')?.status === 'True' && x;
    }, 'flaky Ready');
    assert.equal(p.status.containerStatuses[0].ready, true);
    await tc.client.pods.patch('default', 'flaky', 'merge', { metadata: { annotations: { 'sim.k8ts.io/ready': 'false' } } });
    await waitFor(async () => cond(await tc.client.pods.get('default', 'flaky'), 'Ready')?.status === 'False', 'flaky not Ready again');
    await kubelet['recorder'].flush();
    const unhealthy = (await events(tc, 'flaky')).find((e) => e.reason === 'Unhealthy')!;
    assert.equal(unhealthy.type, 'Warning');
    assert.equal(unhealthy.message, 'Readiness probe failed: sim.k8ts.io/ready is "false"');
  });

  it('deletes a pod gracefully: Killing, terminated containers, then gone', async () => {
    await tc.client.pods.create('default', pod('doomed', { annotations: { 'sim.k8ts.io/stop-delay': '100ms' } }));
    await waitFor(async () => cond(await tc.client.pods.get('default', 'doomed'), 'Ready')?.status === 'True', 'doomed Ready');
    const t0 = Date.now();
    await tc.client.pods.delete('default', 'doomed');
    const during = await tc.client.pods.get('default', 'doomed');
    assert.ok(during.metadata.deletionTimestamp);
    let last: ClientWatchEvent | undefined;
    const h = tc.client.pods.watch('default', { fieldSelector: 'metadata.name=doomed' }, (ev) => (last = ev), () => {});
    await waitFor(async () => !(await tc.client.pods.get('default', 'doomed').catch((e) => (isStatusError(e, 'NotFound') ? undefined : e))), 'doomed gone');
    assert.ok(Date.now() - t0 >= 100, 'waited for the stop delay');
    await waitFor(() => last?.type === 'DELETED', 'DELETED event');
    h.stop();
    const final = last!.object;
    assert.equal(final.status.phase, 'Succeeded');
    assert.equal(final.status.containerStatuses[0].state.terminated.reason, 'Completed');
    assert.equal(cond(final, 'Ready').reason, 'PodCompleted');
    await kubelet['recorder'].flush();
    const killing = (await events(tc, 'doomed')).find((e) => e.reason === 'Killing')!;
    assert.equal(killing.message, 'Stopping container nginx');
  });

  it('removes a pod deleted while its container is still starting without waiting for it', async () => {
    await tc.client.pods.create('default', pod('slow', { annotations: { 'sim.k8ts.io/start-delay': '10s' } }));
    await waitFor(async () => (await tc.client.pods.get('default', 'slow')).status.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating', 'slow ContainerCreating');
    const t0 = Date.now();
    await tc.client.pods.delete('default', 'slow');
    await waitFor(async () => !(await tc.client.pods.get('default', 'slow').catch(() => undefined)), 'slow gone');
    assert.ok(Date.now() - t0 < 1000);
  });
});
