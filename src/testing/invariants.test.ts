import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { REFS } from '../client/client.js';
import { testCluster, waitFor } from './fixture.js';
import { feed, feedFromClient } from './invariantfeed.js';
import { InvariantChecker, toleratesTaint, tolerationSeconds, type Violation, type WatchEvent } from './invariants.js';

let rv = 0;
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** A checker on a hand-moved clock, and a helper that stamps increasing resourceVersions. */
function harness(opts: { slack?: number } = {}) {
  let t = T0;
  const c = new InvariantChecker({ now: () => t, noExecuteSlackMs: opts.slack });
  const send = (type: WatchEvent['type'], object: object) => {
    const o = structuredClone(object) as { metadata: { resourceVersion?: string } };
    o.metadata.resourceVersion = String(++rv);
    c.observe({ type, object: o });
  };
  return { c, send, advance: (ms: number) => void (t += ms), time: () => t };
}

function node(name: string, ready: 'True' | 'False' | 'Unknown' = 'True', taints?: Taint[], down = false): Node {
  return {
    kind: 'Node',
    metadata: { name, annotations: down ? { 'sim.k8ts.io/down': 'true' } : {} },
    spec: { taints },
    status: { conditions: [{ type: 'Ready', status: ready }] },
  };
}

interface PodOpts {
  uid: string;
  node?: string;
  phase?: string;
  ready?: boolean;
  terminated?: boolean;
  deleting?: boolean;
  evicted?: boolean;
  labels?: Record<string, string>;
  tolerations?: Toleration[];
  set?: string;
}

function pod(name: string, o: PodOpts): Pod {
  const conditions = [{ type: 'Ready', status: o.ready ? 'True' : 'False' }];
  if (o.evicted) conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' } as (typeof conditions)[0]);
  return {
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: o.uid,
      labels: o.labels ?? { app: 'web' },
      deletionTimestamp: o.deleting ? '2026-01-01T00:00:00Z' : undefined,
      ownerReferences: o.set === '' ? [] : [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: o.set ?? 'web', uid: 'sts-uid', controller: true }],
    },
    spec: { nodeName: o.node, containers: [{ name: 'c', image: 'nginx' }], tolerations: o.tolerations },
    status: {
      phase: o.phase ?? (o.node ? 'Running' : 'Pending'),
      conditions,
      containerStatuses: o.node ? [{ name: 'c', image: 'nginx', imageID: '', ready: !!o.ready, restartCount: 0, state: o.terminated ? { terminated: { exitCode: 0 } } : { running: {} } }] : [],
    },
  };
}

function pdb(name: string, selector: LabelSelector | undefined, desired?: number, minAvailable?: number): PodDisruptionBudget {
  return {
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'default', generation: 1 },
    spec: { selector, minAvailable },
    status: desired === undefined ? undefined : { desiredHealthy: desired, currentHealthy: 0, disruptionsAllowed: 0, expectedPods: 0, observedGeneration: 1 },
  };
}

// ---- 1. at most one possibly-running pod per StatefulSet identity

test('normal StatefulSet replacement after the kubelet confirmed the old pod stopped passes', () => {
  const { c, send } = harness();
  send('ADDED', node('n1'));
  send('ADDED', node('n2'));
  send('ADDED', pod('web-0', { uid: 'a', node: 'n1', ready: true }));
  send('MODIFIED', pod('web-0', { uid: 'a', node: 'n1', deleting: true }));
  send('MODIFIED', pod('web-0', { uid: 'a', node: 'n1', deleting: true, terminated: true }));
  send('DELETED', pod('web-0', { uid: 'a', node: 'n1', deleting: true, terminated: true }));
  send('ADDED', pod('web-0', { uid: 'b' }));
  send('MODIFIED', pod('web-0', { uid: 'b', node: 'n2', ready: true }));
  c.assertNone();
});

test('a pod force-deleted while its node is Ready leaves no ghost (the kubelet kills it)', () => {
  const { c, send } = harness();
  send('ADDED', node('n1'));
  send('ADDED', pod('web-0', { uid: 'a', node: 'n1', ready: true }));
  send('DELETED', pod('web-0', { uid: 'a', node: 'n1', ready: true }));
  send('ADDED', pod('web-0', { uid: 'b', node: 'n1', ready: true }));
  c.assertNone();
});

test('a pod force-deleted on an unreachable node, then a new one Running before the node returns, is caught', () => {
  const { c, send } = harness();
  send('ADDED', node('n1'));
  send('ADDED', node('n2'));
  send('ADDED', pod('web-0', { uid: 'a', node: 'n1', ready: true }));
  send('MODIFIED', node('n1', 'Unknown'));
  send('DELETED', pod('web-0', { uid: 'a', node: 'n1', ready: true }));
  send('ADDED', pod('web-0', { uid: 'b' }));
  send('MODIFIED', pod('web-0', { uid: 'b', node: 'n2', phase: 'Running', ready: true }));
  send('MODIFIED', node('n1'));
  const v = c.violations();
  assert.equal(v.length, 1);
  assert.equal(v[0].invariant, 'StatefulSetAtMostOne');
  assert.match(v[0].message, /default\/web\/0: pod web-0 \(uid b\) runs on n2 while pod web-0 \(uid a\), deleted while node n1 was not Ready/);
  // The events name the deleted pod, the node going Unknown and the replacement, in stream order.
  const seen = v[0].events.map((e) => `${e.type} ${e.key}`);
  assert.deepEqual(seen, ['ADDED Node:n1', 'ADDED Node:n2', 'ADDED Pod:default/web-0', 'MODIFIED Node:n1', 'DELETED Pod:default/web-0', 'ADDED Pod:default/web-0', 'MODIFIED Pod:default/web-0']);
  assert.throws(() => c.assertNone(), /invariant StatefulSetAtMostOne violated: .*\nevents leading to it:\n(.|\n)*DELETED Pod:default\/web-0 uid=a phase=Running node=n1/);
});

test('the same force deletion passes when the node (annotated down) is Ready again before the new pod is bound', () => {
  const { c, send } = harness();
  send('ADDED', node('n1'));
  send('ADDED', pod('web-0', { uid: 'a', node: 'n1', ready: true }));
  send('MODIFIED', node('n1', 'True', undefined, true));
  send('DELETED', pod('web-0', { uid: 'a', node: 'n1', ready: true }));
  send('ADDED', pod('web-0', { uid: 'b' }));
  send('MODIFIED', node('n1'));
  send('MODIFIED', pod('web-0', { uid: 'b', node: 'n1', ready: true }));
  c.assertNone();
});

test('a ghost ends when its Node object is deleted, and none is left when the last status showed containers terminated', () => {
  const { c, send } = harness();
  send('ADDED', node('n1', 'False'));
  send('ADDED', node('n2'));
  send('ADDED', pod('web-0', { uid: 'a', node: 'n1', ready: true }));
  send('ADDED', pod('web-1', { uid: 'c', node: 'n1', terminated: true }));
  send('DELETED', pod('web-0', { uid: 'a', node: 'n1', ready: true }));
  send('DELETED', pod('web-1', { uid: 'c', node: 'n1', terminated: true }));
  send('ADDED', pod('web-1', { uid: 'd', node: 'n2', ready: true }));
  send('DELETED', node('n1', 'False'));
  send('ADDED', pod('web-0', { uid: 'b', node: 'n2', ready: true }));
  c.assertNone();
});

test('a bound pod counts as possibly running before it reports Running; pods of other owners are not identities', () => {
  const { c, send } = harness();
  send('ADDED', node('n1', 'Unknown'));
  send('ADDED', node('n2'));
  send('ADDED', pod('web-0', { uid: 'x', node: 'n1', set: '' }));
  send('DELETED', pod('web-0', { uid: 'x', node: 'n1', set: '' }));
  send('ADDED', pod('web-0', { uid: 'y', node: 'n2', set: '' }));
  c.assertNone();
  send('ADDED', pod('db-2', { uid: 'a', node: 'n1', set: 'db' }));
  send('DELETED', pod('db-2', { uid: 'a', node: 'n1', set: 'db' }));
  send('ADDED', pod('db-2', { uid: 'b', node: 'n2', set: 'db', phase: 'Pending' }));
  assert.equal(c.first()?.invariant, 'StatefulSetAtMostOne');
});

// ---- 2. evictions keep budgets at their minimum

function threePods(send: ReturnType<typeof harness>['send'], n = 3) {
  send('ADDED', node('n1'));
  for (let i = 0; i < n; i++) send('ADDED', pod(`web-${i}`, { uid: `u${i}`, node: 'n1', ready: true }));
}

function evict(send: ReturnType<typeof harness>['send'], name: string, uid: string, ready = true) {
  send('MODIFIED', pod(name, { uid, node: 'n1', ready, evicted: true }));
  send('MODIFIED', pod(name, { uid, node: 'n1', ready, evicted: true, deleting: true }));
}

test('an eviction leaving a budget exactly at desiredHealthy passes', () => {
  const { c, send } = harness();
  send('ADDED', pdb('web', { matchLabels: { app: 'web' } }, 2));
  threePods(send);
  evict(send, 'web-0', 'u0');
  c.assertNone();
});

test('an eviction taking healthy pods below desiredHealthy is caught', () => {
  const { c, send } = harness();
  send('ADDED', pdb('web', { matchLabels: { app: 'web' } }, 3));
  threePods(send);
  evict(send, 'web-0', 'u0');
  const v = c.violations();
  assert.equal(v.length, 1);
  assert.equal(v[0].invariant, 'DisruptionBudget');
  assert.equal(v[0].message, 'eviction of default/web-0 left PodDisruptionBudget web with 2 healthy pods, below desiredHealthy 3');
  assert.ok(v[0].events.some((e) => e.key === 'PodDisruptionBudget:default/web'));
});

test('without a status the budget comes from an integer minAvailable', () => {
  const { c, send } = harness();
  send('ADDED', pdb('web', { matchLabels: { app: 'web' } }, undefined, 3));
  threePods(send);
  evict(send, 'web-1', 'u1');
  assert.match(c.first()?.message ?? '', /with 2 healthy pods, below desiredHealthy 3/);
});

test('policy/v1 selectors: null selects no pod, {} selects every pod of the namespace', () => {
  const none = harness();
  none.send('ADDED', pdb('nothing', undefined, 3));
  threePods(none.send);
  evict(none.send, 'web-0', 'u0');
  none.c.assertNone();

  const all = harness();
  all.send('ADDED', pdb('everything', {}, 3));
  threePods(all.send);
  evict(all.send, 'web-0', 'u0');
  assert.equal(all.c.first()?.invariant, 'DisruptionBudget');
});

test('plain deletions and evictions of unhealthy pods are not budget violations', () => {
  const { c, send } = harness();
  send('ADDED', pdb('web', { matchLabels: { app: 'web' } }, 3));
  threePods(send);
  send('MODIFIED', pod('web-0', { uid: 'u0', node: 'n1', ready: true, deleting: true }));
  send('MODIFIED', pod('web-1', { uid: 'u1', node: 'n1', ready: false }));
  evict(send, 'web-1', 'u1', false);
  c.assertNone();
});

// ---- 3. taints

test('binding onto a node with a NoSchedule taint the pod does not tolerate is caught', () => {
  const { c, send } = harness();
  send('ADDED', node('n1', 'True', [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }, { key: 'soft', effect: 'PreferNoSchedule' }]));
  send('ADDED', pod('web-0', { uid: 'a' }));
  send('MODIFIED', pod('web-0', { uid: 'a', node: 'n1' }));
  assert.equal(c.violations().length, 1);
  assert.equal(c.first()?.message, 'pod default/web-0 was bound to node n1 whose taint dedicated=db:NoSchedule it does not tolerate');
});

test('binding onto tainted nodes the pod tolerates passes', () => {
  const { c, send } = harness();
  send('ADDED', node('n1', 'True', [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }, { key: 'soft', effect: 'PreferNoSchedule' }]));
  send('ADDED', node('n2', 'True', [{ key: 'a', effect: 'NoSchedule' }, { key: 'b', value: 'x', effect: 'NoExecute' }]));
  send('ADDED', pod('web-0', { uid: 'a', node: 'n1', tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }));
  send('ADDED', pod('web-1', { uid: 'b', node: 'n2', tolerations: [{ operator: 'Exists' }] }));
  c.assertNone();
});

test('toleration matching follows v1.Toleration.ToleratesTaint', () => {
  const taint: Taint = { key: 'foo', value: 'bar', effect: 'NoExecute' };
  assert.equal(toleratesTaint({ key: 'foo', operator: 'Exists', effect: 'NoExecute' }, taint), true);
  assert.equal(toleratesTaint({ key: 'foo', operator: 'Equal', value: 'bar' }, taint), true);
  assert.equal(toleratesTaint({ key: 'foo', value: 'bar' }, taint), true);
  assert.equal(toleratesTaint({ key: 'foo', operator: 'Equal', value: 'baz', effect: 'NoExecute' }, taint), false);
  assert.equal(toleratesTaint({ key: 'foo', operator: 'Exists', effect: 'NoSchedule' }, taint), false);
  assert.equal(toleratesTaint({ key: 'other', operator: 'Exists' }, taint), false);
  assert.equal(toleratesTaint({ operator: 'Exists' }, taint), true);
  assert.equal(tolerationSeconds([], taint), 0);
  assert.equal(tolerationSeconds([{ operator: 'Exists', tolerationSeconds: -5 }], taint), 0);
  assert.equal(tolerationSeconds([{ key: 'foo', operator: 'Exists', tolerationSeconds: 30 }], taint), 30);
  assert.equal(tolerationSeconds([{ key: 'foo', operator: 'Exists' }], taint), undefined);
});

const noExecute = (at: number): Taint => ({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: new Date(at).toISOString() });

test('a pod marked for deletion within the slack of an untolerated NoExecute taint passes', () => {
  const { c, send, advance, time } = harness();
  send('ADDED', node('n1'));
  send('ADDED', pod('web-0', { uid: 'a', node: 'n1', ready: true }));
  send('MODIFIED', node('n1', 'Unknown', [noExecute(time())]));
  advance(9_000);
  send('MODIFIED', pod('web-0', { uid: 'a', node: 'n1', ready: true, deleting: true }));
  advance(60_000);
  c.assertNone();
});

test('a NoExecute taint not acted on within tolerationSeconds plus slack is caught', () => {
  const { c, send, advance, time } = harness();
  send('ADDED', node('n1'));
  send('ADDED', pod('web-0', { uid: 'a', node: 'n1', ready: true }));
  send('ADDED', pod('web-1', { uid: 'b', node: 'n1', ready: true, tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }] }));
  send('ADDED', pod('web-2', { uid: 'c', node: 'n1', ready: true, tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }] }));
  send('MODIFIED', node('n1', 'Unknown', [noExecute(time())]));
  advance(10_000);
  c.assertNone();
  advance(1);
  assert.deepEqual(c.violations().map((v) => v.message), ['pod default/web-0 was not marked for deletion within 0s (+10s slack) of NoExecute taint node.kubernetes.io/unreachable:NoExecute on node n1']);
  advance(25_000);
  send('MODIFIED', pod('web-1', { uid: 'b', node: 'n1', ready: true, deleting: true, tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }] }));
  advance(3_600_000);
  // web-1 was deleted at 35 s of its 30 + 10; web-2 tolerates the taint forever.
  assert.equal(c.violations().length, 1);
});

test('a deletion arriving after the deadline is still late, and a taint removed in time ends the clock', () => {
  const late = harness({ slack: 1000 });
  late.send('ADDED', node('n1', 'True', []));
  late.send('ADDED', pod('web-0', { uid: 'a', node: 'n1' }));
  late.send('MODIFIED', node('n1', 'True', [noExecute(late.time())]));
  late.advance(5_000);
  late.send('DELETED', pod('web-0', { uid: 'a', node: 'n1' }));
  assert.equal(late.c.first()?.invariant, 'NoExecuteTaint');

  const removed = harness({ slack: 1000 });
  removed.send('ADDED', node('n1'));
  removed.send('ADDED', pod('web-0', { uid: 'a', node: 'n1' }));
  removed.send('MODIFIED', node('n1', 'True', [noExecute(removed.time())]));
  removed.advance(500);
  removed.send('MODIFIED', node('n1', 'True', []));
  removed.advance(60_000);
  removed.c.assertNone();
});

// ---- the feed, from a real in-process cluster

test('feedFromClient sees a real cluster’s nodes and pods and catches a binding onto an untolerated taint', async () => {
  const cluster = await testCluster();
  const checker = new InvariantChecker();
  const f = feedFromClient(cluster.client, checker);
  try {
    await cluster.client.resource(REFS.nodes).create('', {
      metadata: { name: 'tainted' },
      spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    });
    await cluster.client.resource(REFS.pods).create('default', {
      metadata: { name: 'ok' },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await cluster.client.resource(REFS.pods).create('default', {
      metadata: { name: 'intruder' },
      spec: { nodeName: 'tainted', containers: [{ name: 'c', image: 'nginx' }] },
    });
    const v: Violation = await waitFor(() => checker.first(), 'a NoScheduleTaint violation') as Violation;
    assert.equal(v.invariant, 'NoScheduleTaint');
    assert.equal(v.message, 'pod default/intruder was bound to node tainted whose taint dedicated=db:NoSchedule it does not tolerate');
    assert.deepEqual(
      v.events.map((e) => `${e.type} ${e.key}`),
      ['ADDED Node:tainted', 'ADDED Pod:default/intruder'],
    );
    assert.equal(checker.violations().length, 1);
    assert.equal(f.late(), 0);
  } finally {
    f.stop();
    cluster.stop();
  }
});

test('feed merges watch streams by resourceVersion within its window', async () => {
  const ev = (kind: string, name: string, rv: string): WatchEvent => ({ type: 'ADDED', object: { kind, metadata: { name, resourceVersion: rv } } });
  async function* pods() {
    yield ev('Pod', 'p', '5');
    await new Promise((r) => setTimeout(r, 10));
    yield ev('Pod', 'q', '7');
  }
  async function* nodes() {
    await new Promise((r) => setTimeout(r, 5));
    yield ev('Node', 'n', '3');
    yield ev('Node', 'm', '6');
  }
  const seen: string[] = [];
  const f = feed({ observe: (e) => void seen.push(e.object.metadata.resourceVersion) }, [pods(), nodes()], { windowMs: 50 });
  await f.done;
  assert.deepEqual(seen, ['3', '5', '6', '7']);
  assert.equal(f.late(), 0);
  // Without a window the events go through as they arrive, and the one older than an already-checked event is late.
  const direct: string[] = [];
  const g = feed({ observe: (e) => void direct.push(e.object.metadata.resourceVersion) }, [pods(), nodes()], { windowMs: 0 });
  await g.done;
  assert.deepEqual(direct, ['5', '3', '6', '7']);
  assert.equal(g.late(), 1);
});
