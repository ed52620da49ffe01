import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { node, pod, type NodeSpec, type PodSpecInput } from '../../testing/schedulerobjects.js';
import { failure, FakeCluster, stored } from './testcluster.js';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS = 'No preemption victims found for incoming pod';

const spread = (c: Partial<TopologySpreadConstraint> & { topologyKey: string }): TopologySpreadConstraint => ({
  maxSkew: 1,
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'foo' } },
  ...c,
});
const foo = (name: string, spec: PodSpecInput = {}, labels: Record<string, string> = {}) => pod(name, spec, { labels: { app: 'foo', ...labels } });
const zoneNode = (name: string, zone: string, s: NodeSpec = {}) => node(name, { ...s, labels: { [ZONE]: zone, ...s.labels } });

const cordonNode = (c: FakeCluster, name: string) => c.node(name).setNode(stored({ ...c.node(name).node!, spec: { unschedulable: true } }));

describe('PodTopologySpread filter', () => {
  it('only admits the zone with fewer matching pods within maxSkew', () => {
    const c = new FakeCluster([zoneNode('node-a', 'zone1'), zoneNode('node-b', 'zone1'), zoneNode('node-x', 'zone2'), zoneNode('node-y', 'zone2')]);
    c.place(foo('p-a'), 'node-a');
    c.place(foo('p-b'), 'node-b');
    c.place(foo('p-x'), 'node-x');
    const incoming = (name: string) => foo(name, { topologySpreadConstraints: [spread({ topologyKey: ZONE })] });
    // zone1 would reach 3 against zone2's 1.
    assert.equal(c.bind(incoming('p-0')), 'node-y');
    // 2/2 now: either zone may take one more.
    assert.equal(c.bind(incoming('p-1')), 'node-a');
    cordonNode(c, 'node-x');
    cordonNode(c, 'node-y');
    assert.equal(
      failure(c.schedule(incoming('p-2'))),
      `0/4 nodes are available: 2 node(s) didn't match pod topology spread constraints, 2 node(s) were unschedulable. preemption: 0/4 nodes are available: 2 ${NO_VICTIMS}, 2 ${NOT_HELPFUL}.`,
    );
  });

  it('rejects nodes without the topology key as unresolvable', () => {
    const c = new FakeCluster([zoneNode('zoned', 'zone1'), node('bare')]);
    c.place(foo('p'), 'zoned');
    const out = c.schedule(foo('q', { topologySpreadConstraints: [spread({ topologyKey: ZONE, maxSkew: 0 })] }));
    assert.equal(
      failure(out),
      `0/2 nodes are available: 1 node(s) didn't match pod topology spread constraints, 1 node(s) didn't match pod topology spread constraints (missing required label). preemption: 0/2 nodes are available: 1 ${NO_VICTIMS}, 1 ${NOT_HELPFUL}.`,
    );
  });

  it('spreads evenly over hostnames, and ignores pods that do not match, are elsewhere namespaced or terminating', () => {
    const c = new FakeCluster([node('n1'), node('n2'), node('n3')]);
    c.place(pod('other', {}, { labels: { app: 'bar' } }), 'n1');
    c.place(pod('elsewhere', {}, { labels: { app: 'foo' }, namespace: 'prod' }), 'n1');
    c.place(foo('dying', {}, {}), 'n2');
    const dying = [...c.node('n2').pods.values()][0];
    c.node('n2').removePod(dying.uid);
    c.node('n2').addPod({ ...dying, terminating: true });
    const placed = new Map<string, number>();
    for (let i = 0; i < 6; i++) {
      const n = c.bind(foo(`p-${i}`, { topologySpreadConstraints: [spread({ topologyKey: HOST })] }));
      placed.set(n, (placed.get(n) ?? 0) + 1);
    }
    assert.deepEqual([...placed.values()], [2, 2, 2]);
  });

  it('does not count the incoming pod when it does not match the selector', () => {
    const c = new FakeCluster([node('n1'), node('n2')]);
    c.place(foo('f-0'), 'n1');
    c.place(foo('f-1'), 'n1');
    // A cordoned node is still a domain: the global minimum stays 0.
    cordonNode(c, 'n2');
    const constraints = [spread({ topologyKey: HOST, maxSkew: 2 })];
    assert.match(failure(c.schedule(foo('f-2', { topologySpreadConstraints: constraints }))), /1 node\(s\) didn't match pod topology spread constraints/);
    assert.equal(c.bind(pod('bar', { topologySpreadConstraints: constraints }, { labels: { app: 'bar' } })), 'n1');
  });

  it('treats the global minimum as 0 while there are fewer domains than minDomains', () => {
    const constraint = (minDomains?: number) => [spread({ topologyKey: HOST, minDomains })];
    const c = new FakeCluster([node('n1'), node('n2')]);
    assert.equal(c.bind(foo('p-0', { topologySpreadConstraints: constraint(3) })), 'n1');
    assert.equal(c.bind(foo('p-1', { topologySpreadConstraints: constraint(3) })), 'n2');
    assert.match(failure(c.schedule(foo('p-2', { topologySpreadConstraints: constraint(3) }))), /: 2 node\(s\) didn't match pod topology spread constraints\./);
    assert.equal(c.bind(foo('p-3', { topologySpreadConstraints: constraint() })), 'n1');
  });

  it('leaves nodes the pod cannot use out of the domains (nodeAffinityPolicy Honor by default)', () => {
    const nodes = () => new FakeCluster([zoneNode('ssd', 'zone1', { labels: { disk: 'ssd' } }), zoneNode('hdd', 'zone2')]);
    const incoming = (policy?: 'Honor' | 'Ignore') => foo('p', { nodeSelector: { disk: 'ssd' }, topologySpreadConstraints: [spread({ topologyKey: ZONE, nodeAffinityPolicy: policy })] });
    const honor = nodes();
    honor.place(foo('f-0'), 'ssd');
    honor.place(foo('f-1'), 'ssd');
    assert.equal(honor.bind(incoming()), 'ssd');
    const ignore = nodes();
    ignore.place(foo('f-0'), 'ssd');
    ignore.place(foo('f-1'), 'ssd');
    assert.match(failure(ignore.schedule(incoming('Ignore'))), /: 1 node\(s\) didn't match Pod's node affinity\/selector, 1 node\(s\) didn't match pod topology spread constraints\./);
  });

  it('counts tainted nodes unless nodeTaintsPolicy is Honor', () => {
    const nodes = () => new FakeCluster([zoneNode('n1', 'zone1'), zoneNode('n2', 'zone2', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })]);
    const incoming = (policy?: 'Honor' | 'Ignore') => foo('p', { topologySpreadConstraints: [spread({ topologyKey: ZONE, nodeTaintsPolicy: policy })] });
    const ignore = nodes();
    ignore.place(foo('f'), 'n1');
    assert.match(failure(ignore.schedule(incoming())), /1 node\(s\) didn't match pod topology spread constraints, 1 node\(s\) had untolerated taint \{dedicated: gpu\}/);
    const honor = nodes();
    honor.place(foo('f'), 'n1');
    assert.equal(honor.bind(incoming('Honor')), 'n1');
  });

  it('narrows the selector to the pod\'s own values for matchLabelKeys', () => {
    const c = new FakeCluster([node('n1'), node('n2')]);
    c.place(foo('old-0', {}, { 'pod-template-hash': 'a' }), 'n1');
    c.place(foo('old-1', {}, { 'pod-template-hash': 'a' }), 'n1');
    cordonNode(c, 'n2');
    const rev = (name: string, keys?: string[]) => foo(name, { topologySpreadConstraints: [spread({ topologyKey: HOST, matchLabelKeys: keys })] }, { 'pod-template-hash': 'b' });
    assert.equal(c.bind(rev('new-0', ['pod-template-hash'])), 'n1');
    assert.match(failure(c.schedule(rev('new-1'))), /didn't match pod topology spread constraints/);
  });

  it('ignores ScheduleAnyway constraints', () => {
    const c = new FakeCluster([node('n1'), node('n2')]);
    c.place(foo('f-0'), 'n1');
    c.place(foo('f-1'), 'n1');
    const p = foo('p', { nodeSelector: { [HOST]: 'n1' }, topologySpreadConstraints: [spread({ topologyKey: HOST, whenUnsatisfiable: 'ScheduleAnyway' })] });
    assert.equal(c.bind(p), 'n1');
  });
});
