import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { cordon, node, pod, schedulerCluster, type PodSpecInput } from '../../testing/schedulerobjects.js';
import { CycleState } from '../framework.js';
import { newPodInfo } from '../nodeinfo.js';
import { AffinityIndex } from './affinityindex.js';
import { interPodAffinityScore } from './interpodaffinityscoring.js';
import { failure, FakeCluster, stored } from './testcluster.js';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS = 'No preemption victims found for incoming pod';

const term = (labelSelector: LabelSelector | undefined, topologyKey = HOST, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector, topologyKey, ...extra });
const app = (name: string): LabelSelector => ({ matchLabels: { app: name } });
const antiAffinity = (...terms: PodAffinityTerm[]): PodSpecInput => ({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } });
const affinity = (...terms: PodAffinityTerm[]): PodSpecInput => ({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } });
const labelled = (name: string, labels: Record<string, string>, spec: PodSpecInput = {}, namespace = 'default') => pod(name, spec, { labels, namespace });

// The ZooKeeper tutorial's StatefulSet pod: one zk server per node.
const zk = (i: number) => labelled(`zk-${i}`, { app: 'zk' }, antiAffinity(term({ matchExpressions: [{ key: 'app', operator: 'In', values: ['zk'] }] })));

const zoned = () =>
  new FakeCluster([
    node('a1', { labels: { [ZONE]: 'a' } }),
    node('a2', { labels: { [ZONE]: 'a' } }),
    node('b1', { labels: { [ZONE]: 'b' } }),
    node('nozone'),
  ]);

describe('InterPodAffinity filter: required anti-affinity', () => {
  it('puts the ZooKeeper ensemble on distinct nodes and explains why a surplus server stays pending', () => {
    const c = new FakeCluster([node('k8ts'), node('k8ts-m02'), node('k8ts-m03'), node('k8ts-m04')]);
    const placed = [0, 1, 2].map((i) => c.bind(zk(i)));
    assert.equal(new Set(placed).size, 3);
    const free = c.nodes.find((n) => !placed.includes(n.name))!;
    free.setNode(stored({ ...free.node!, spec: { unschedulable: true } }));
    assert.equal(
      failure(c.schedule(zk(3))),
      `0/4 nodes are available: 1 node(s) were unschedulable, 3 node(s) didn't match pod anti-affinity rules. preemption: 0/4 nodes are available: 1 ${NOT_HELPFUL}, 3 ${NO_VICTIMS}.`,
    );
  });

  it('counts matching pods per topology domain: one per zone, and nodes without the key never conflict', () => {
    const c = zoned();
    const perZone = (i: number) => labelled(`z-${i}`, { app: 'z' }, antiAffinity(term(app('z'), ZONE)));
    c.place(perZone(0), 'a1');
    assert.equal(c.bind(perZone(1)), 'b1');
    assert.equal(c.bind(perZone(2)), 'nozone');
    assert.equal(c.bind(perZone(3)), 'nozone');
  });

  it('honours existing pods anti-affinity against the incoming pod (symmetry)', () => {
    const c = new FakeCluster([node('n1'), node('n2')]);
    c.place(labelled('loner', { app: 'loner' }, antiAffinity(term(app('web')))), 'n1');
    c.place(labelled('loner2', { app: 'loner' }, antiAffinity(term(app('web')))), 'n2');
    assert.equal(
      failure(c.schedule(labelled('web', { app: 'web' }))),
      `0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/2 nodes are available: 2 ${NO_VICTIMS}.`,
    );
    assert.equal(c.bind(labelled('api', { app: 'api' })), 'n1');
  });

  it('forgets an existing pod\'s anti-affinity once the pod is gone, and sees new nodes', () => {
    const c = new FakeCluster([node('n1')]);
    c.place(labelled('loner', { app: 'loner' }, antiAffinity(term(app('web')))), 'n1');
    assert.equal(c.schedule(labelled('web-0', { app: 'web' })).kind, 'failed');
    const loner = [...c.node('n1').pods.values()].find((p) => p.name === 'loner')!;
    c.node('n1').removePod(loner.uid);
    assert.equal(c.bind(labelled('web-1', { app: 'web' })), 'n1');
    const grown = new FakeCluster([node('n1'), node('n2')]);
    grown.place(labelled('loner', { app: 'loner' }, antiAffinity(term(app('web')))), 'n1');
    assert.equal(grown.bind(labelled('web', { app: 'web' })), 'n2');
  });

  it('applies existing pods\' terms without an equality requirement (Exists, NotIn) too', () => {
    const c = new FakeCluster([node('n1'), node('n2'), node('n3')]);
    c.place(labelled('quiet', { app: 'quiet' }, antiAffinity(term({ matchExpressions: [{ key: 'noisy', operator: 'Exists' }] }))), 'n1');
    c.place(labelled('picky', { app: 'picky' }, antiAffinity(term({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['picky', 'quiet'] }] }))), 'n2');
    assert.equal(
      failure(c.schedule(labelled('loud', { app: 'loud', noisy: 'yes' }, { nodeSelector: { [HOST]: 'n1' } }))),
      `0/3 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 ${NO_VICTIMS}, 2 ${NOT_HELPFUL}.`,
    );
    assert.equal(c.bind(labelled('loud-2', { app: 'loud', noisy: 'yes' })), 'n3');
  });

  it('reports anti-affinity before existing pods anti-affinity on the same node', () => {
    const c = new FakeCluster([node('n1')]);
    c.place(labelled('db', { app: 'db' }, antiAffinity(term(app('web')))), 'n1');
    const out = c.schedule(labelled('web', { app: 'web' }, antiAffinity(term(app('db')))));
    assert.match(failure(out), /1 node\(s\) didn't match pod anti-affinity rules\./);
  });

  it('matches nothing with a nil labelSelector and everything with an empty one', () => {
    const c = new FakeCluster([node('n1')]);
    c.place(labelled('other', { app: 'other' }), 'n1');
    assert.equal(c.bind(labelled('nil', { app: 'x' }, antiAffinity(term(undefined)))), 'n1');
    assert.match(failure(c.schedule(labelled('empty', { app: 'y' }, antiAffinity(term({}))))), /didn't match pod anti-affinity rules/);
  });
});

describe('InterPodAffinity in the running scheduler', () => {
  it('records the FailedScheduling message for a surplus ZooKeeper server', async () => {
    const c = await schedulerCluster([node('k8ts'), node('k8ts-m02'), node('k8ts-m03'), node('k8ts-m04')]);
    try {
      for (let i = 0; i < 3; i++) await c.client.pods.create('default', zk(i));
      const placed = await Promise.all([0, 1, 2].map((i) => c.bound(`zk-${i}`)));
      assert.equal(new Set(placed).size, 3);
      await cordon(c, ['k8ts', 'k8ts-m02', 'k8ts-m03', 'k8ts-m04'].find((n) => !placed.includes(n))!);
      await c.client.pods.create('default', zk(3));
      assert.equal(
        (await c.rejected('zk-3')).message,
        `0/4 nodes are available: 1 node(s) were unschedulable, 3 node(s) didn't match pod anti-affinity rules. preemption: 0/4 nodes are available: 1 ${NOT_HELPFUL}, 3 ${NO_VICTIMS}.`,
      );
    } finally {
      c.stop();
    }
  });
});

describe('InterPodAffinity filter: required affinity', () => {
  it('needs a matching pod in the node\'s domain; a node without the key is unresolvable', () => {
    const c = zoned();
    c.place(labelled('cache', { app: 'cache' }), 'b1');
    const web = (i: number) => labelled(`web-${i}`, { app: 'web' }, affinity(term(app('cache'), ZONE)));
    assert.equal(c.bind(web(0)), 'b1');
    c.node('b1').setNode(stored({ ...c.node('b1').node!, spec: { unschedulable: true } }));
    assert.equal(
      failure(c.schedule(web(1))),
      `0/4 nodes are available: 1 node(s) were unschedulable, 3 node(s) didn't match pod affinity rules. preemption: 0/4 nodes are available: 4 ${NOT_HELPFUL}.`,
    );
  });

  it('lets the first pod of a self-affine group go anywhere the topology key exists', () => {
    const c = zoned();
    const group = (i: number) => labelled(`g-${i}`, { app: 'g' }, affinity(term(app('g'), ZONE)));
    const first = c.bind(group(0));
    assert.notEqual(first, 'nozone');
    const zone = c.node(first).labels[ZONE];
    for (let i = 1; i < 4; i++) assert.equal(c.node(c.bind(group(i))).labels[ZONE], zone);
    // Not self-matching: no exception.
    assert.match(failure(c.schedule(labelled('lost', { app: 'lost' }, affinity(term(app('db'), ZONE))))), /4 node\(s\) didn't match pod affinity rules/);
  });

  it('requires one pod matching all terms for every term', () => {
    const c = zoned();
    c.place(labelled('cache', { app: 'cache', tier: 'x' }), 'a1');
    c.place(labelled('other', { app: 'other' }), 'b1');
    const p = labelled('p', {}, affinity(term(app('cache'), ZONE), term({ matchLabels: { tier: 'x' } }, HOST)));
    assert.equal(c.bind(p), 'a1');
  });
});

describe('InterPodAffinity: namespaces', () => {
  it('defaults to the pod\'s namespace and honours namespaces and namespaceSelector', () => {
    const c = new FakeCluster([node('n1'), node('n2'), node('n3')]);
    c.addNamespace('default', {});
    c.addNamespace('team-a', { team: 'a' });
    c.addNamespace('team-b', { team: 'b' });
    c.place(labelled('db-a', { app: 'db' }, {}, 'team-a'), 'n1');
    c.place(labelled('db-b', { app: 'db' }, {}, 'team-b'), 'n2');
    // Same namespace only: no db in default, so no node conflicts and the emptiest one wins.
    assert.equal(c.bind(labelled('p0', {}, antiAffinity(term(app('db'))))), 'n3');
    assert.equal(c.bind(labelled('p1', {}, antiAffinity(term(app('db'), HOST, { namespaces: ['team-a', 'team-b'] })))), 'n3');
    const selected = c.bind(labelled('p2', {}, affinity(term(app('db'), HOST, { namespaceSelector: { matchLabels: { team: 'b' } } }))));
    assert.equal(selected, 'n2');
    // An empty namespaceSelector selects every namespace.
    const all = labelled('p3', {}, antiAffinity(term(app('db'), HOST, { namespaceSelector: {} })));
    assert.equal(c.bind(all), 'n3');
  });

  it('matches an existing pod\'s namespaceSelector against the incoming pod\'s namespace labels', () => {
    const c = new FakeCluster([node('n1'), node('n2')]);
    c.addNamespace('prod', { env: 'prod' });
    c.addNamespace('dev', { env: 'dev' });
    c.place(labelled('guard', { app: 'guard' }, antiAffinity(term(app('web'), HOST, { namespaceSelector: { matchLabels: { env: 'prod' } } }))), 'n1');
    assert.equal(c.bind(labelled('web-prod', { app: 'web' }, {}, 'prod')), 'n2');
    assert.equal(c.bind(labelled('web-dev', { app: 'web' }, {}, 'dev')), 'n1');
  });
});

describe('InterPodAffinity: matchLabelKeys and mismatchLabelKeys', () => {
  it('merges the owning pod\'s label values into the selector', () => {
    const c = new FakeCluster([node('n1'), node('n2')]);
    const rev = (name: string, hash: string) =>
      labelled(name, { app: 'web', 'pod-template-hash': hash }, antiAffinity(term(app('web'), HOST, { matchLabelKeys: ['pod-template-hash'] })));
    c.place(rev('old-0', 'a'), 'n1');
    c.place(rev('old-1', 'a'), 'n2');
    // A new revision's pods only avoid each other, not the old revision's.
    assert.equal(c.bind(rev('new-0', 'b')), 'n1');
    assert.equal(c.bind(rev('new-1', 'b')), 'n2');
    assert.match(failure(c.schedule(rev('new-2', 'b'))), /2 node\(s\) didn't match pod anti-affinity rules/);
  });

  it('keeps tenants apart with mismatchLabelKeys', () => {
    const c = new FakeCluster([node('n1'), node('n2')]);
    const tenant = (name: string, t: string) =>
      labelled(name, { tenant: t }, antiAffinity(term({ matchExpressions: [{ key: 'tenant', operator: 'Exists' }] }, HOST, { mismatchLabelKeys: ['tenant'] })));
    c.place(tenant('a-0', 'a'), 'n1');
    assert.equal(c.bind(tenant('b-0', 'b')), 'n2');
    assert.equal(c.bind(tenant('a-1', 'a')), 'n1');
  });
});

describe('InterPodAffinity scoring', () => {
  const preferredAnti = (...terms: WeightedPodAffinityTerm[]): PodSpecInput => ({ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms } } });
  const preferred = (...terms: WeightedPodAffinityTerm[]): PodSpecInput => ({ affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms } } });

  it('scales the summed weights to 0..100 between the lowest and highest node', () => {
    const c = zoned();
    c.place(labelled('cache', { app: 'cache' }), 'a1');
    c.place(labelled('noisy', { app: 'noisy' }), 'b1');
    const spec = {
      affinity: {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 60, podAffinityTerm: term(app('cache'), ZONE) }] },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 30, podAffinityTerm: term(app('noisy'), ZONE) }] },
      },
    };
    const pi = newPodInfo(stored(labelled('p', {}, spec)) as never);
    const plugin = interPodAffinityScore(() => c.nodes, new AffinityIndex());
    const state = new CycleState();
    assert.equal(plugin.preScore!(state, pi, c.nodes), true);
    const scores = c.nodes.map((n) => plugin.score(state, pi, n));
    assert.deepEqual(scores, [60, 60, -30, 0]);
    plugin.normalize!(state, scores, c.nodes);
    assert.deepEqual(scores, [100, 100, 0, 33]);
  });

  it('skips scoring when no pod has affinity terms, and gives all 0 when every node ties', () => {
    const c = new FakeCluster([node('n1'), node('n2')]);
    c.place(labelled('x', { app: 'x' }), 'n1');
    const plugin = interPodAffinityScore(() => c.nodes, new AffinityIndex());
    assert.equal(plugin.preScore!(new CycleState(), newPodInfo(stored(labelled('p', { app: 'x' })) as never), c.nodes), false);
    const scores = [7, 7];
    plugin.normalize!(new CycleState(), scores, c.nodes);
    assert.deepEqual(scores, [0, 0]);
  });

  it('spreads pods with preferred anti-affinity and gathers pods with preferred affinity', () => {
    const c = new FakeCluster([node('n1', { cpu: '64' }), node('n2'), node('n3')]);
    const spread = (i: number) => labelled(`s-${i}`, { app: 's' }, preferredAnti({ weight: 100, podAffinityTerm: term(app('s')) }));
    c.place(labelled('s-pre', { app: 's' }), 'n1');
    // n1 has the most room but already runs an s pod.
    assert.notEqual(c.bind(spread(0)), 'n1');
    const gather = (i: number) => labelled(`g-${i}`, { app: 'g' }, preferred({ weight: 100, podAffinityTerm: term(app('s-pre-buddy')) }));
    c.place(labelled('buddy', { app: 's-pre-buddy' }), 'n3');
    assert.equal(c.bind(gather(0)), 'n3');
  });

  it('counts existing pods\' preferred terms and required affinity (hardPodAffinityWeight 1) towards the incoming pod', () => {
    const c = new FakeCluster([node('n1'), node('n2'), node('n3')]);
    c.place(labelled('hater', { app: 'h' }, preferredAnti({ weight: 50, podAffinityTerm: term(app('web')) })), 'n1');
    c.place(labelled('fan', { app: 'f' }, affinity(term(app('web')))), 'n2');
    const pi = newPodInfo(stored(labelled('web', { app: 'web' })) as never);
    const plugin = interPodAffinityScore(() => c.nodes, new AffinityIndex());
    const state = new CycleState();
    assert.equal(plugin.preScore!(state, pi, c.nodes), true);
    assert.deepEqual(c.nodes.map((n) => plugin.score(state, pi, n)), [-50, 1, 0]);
  });
});
