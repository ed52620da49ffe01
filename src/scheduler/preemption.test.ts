import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Stored } from '../client/objects.js';
import { node, pod, type PodSpecInput } from '../testing/schedulerobjects.js';
import { newPodInfo, type PodInfo } from './nodeinfo.js';
import { pickOneNodeForPreemption, type Candidate } from './preemption.js';
import { FakeCluster, stored } from './plugins/testcluster.js';
import type { ScheduleOutcome } from './schedule_one.js';

const cpu = (n: number) => ({ requests: { cpu: String(n) } });
const prio = (priority: number, extra: PodSpecInput = {}): PodSpecInput => ({ priority, ...extra });

function victimsOf(out: ScheduleOutcome): { nodeName: string; victims: string[]; violations: number } {
  assert.equal(out.kind, 'failed');
  if (out.kind !== 'failed' || out.postFilter?.kind !== 'nominate') throw new Error(`no nomination: ${out.kind === 'failed' ? out.message : ''}`);
  const c = out.postFilter.candidate;
  return { nodeName: c.nodeName, victims: c.victims.pods.map((p) => p.name), violations: c.victims.numPDBViolations };
}

function pdb(name: string, app: string, disruptionsAllowed: number): PodDisruptionBudget {
  return { metadata: { name, namespace: 'default' }, spec: { selector: { matchLabels: { app } } }, status: { disruptionsAllowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } };
}

describe('DefaultPreemption', () => {
  it('evicts the fewest lowest-priority pods, reprieving the most important first', () => {
    const c = new FakeCluster([node('k8ts', { cpu: '4' })]);
    for (const p of [1, 2, 3, 4]) c.place(pod(`low-${p}`, prio(p, cpu(1))), 'k8ts');
    const out = c.schedule(pod('high', prio(10, cpu(2))));
    assert.deepEqual(victimsOf(out), { nodeName: 'k8ts', victims: ['low-2', 'low-1'], violations: 0 });
    // Upstream reports the fit error without a preemption part once it nominated a node.
    assert.equal(out.kind === 'failed' && out.message, '0/1 nodes are available: 1 Insufficient cpu.');
  });

  it('never preempts pods of equal or higher priority', () => {
    const c = new FakeCluster([node('k8ts', { cpu: '2' })]);
    c.place(pod('same', prio(10, cpu(1))), 'k8ts');
    c.place(pod('higher', prio(20, cpu(1))), 'k8ts');
    const out = c.schedule(pod('new', prio(10, cpu(1))));
    assert.equal(out.kind === 'failed' && out.postFilter?.kind, 'clear');
    assert.equal(
      out.kind === 'failed' && out.message,
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });

  it('does not preempt for a pod with preemptionPolicy Never', () => {
    const c = new FakeCluster([node('k8ts', { cpu: '1' })]);
    c.place(pod('low', prio(1, cpu(1))), 'k8ts');
    const out = c.schedule(pod('never', prio(10, { ...cpu(1), preemptionPolicy: 'Never' })));
    assert.equal(out.kind === 'failed' && out.postFilter?.kind, 'noop');
    assert.equal(out.kind === 'failed' && out.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('reports why no node helps when evicting every lower-priority pod is not enough', () => {
    const c = new FakeCluster([node('k8ts', { cpu: '2' }), node('k8ts-m02', { cpu: '2', unschedulable: true })]);
    c.place(pod('low', prio(1, cpu(1))), 'k8ts');
    c.place(pod('high', prio(100, cpu(1))), 'k8ts');
    const out = c.schedule(pod('new', prio(10, cpu(2))));
    assert.equal(
      out.kind === 'failed' && out.message,
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 1 Insufficient cpu, 1 Preemption is not helpful for scheduling.',
    );
  });

  it('prefers a node where no PodDisruptionBudget is violated, and counts violations where it must', () => {
    const c = new FakeCluster([node('k8ts', { cpu: '1' }), node('k8ts-m02', { cpu: '1' })]);
    c.place(pod('db', prio(1, cpu(1)), { labels: { app: 'db' } }), 'k8ts');
    c.place(pod('web', prio(5, cpu(1)), { labels: { app: 'web' } }), 'k8ts-m02');
    c.pdbs.push(pdb('db', 'db', 0));
    // Without the budget k8ts (lower victim priority) would win.
    assert.deepEqual(victimsOf(c.schedule(pod('high', prio(10, cpu(1))))), { nodeName: 'k8ts-m02', victims: ['web'], violations: 0 });
    c.pdbs.push(pdb('web', 'web', 0));
    assert.deepEqual(victimsOf(c.schedule(pod('high2', prio(10, cpu(1))))), { nodeName: 'k8ts', victims: ['db'], violations: 1 });
  });

  it('reprieves a PDB-protected pod before an unprotected one of higher priority', () => {
    const c = new FakeCluster([node('k8ts', { cpu: '2' })]);
    c.place(pod('protected', prio(1, cpu(1)), { labels: { app: 'db' } }), 'k8ts');
    c.place(pod('free', prio(2, cpu(1)), { labels: { app: 'web' } }), 'k8ts');
    c.pdbs.push(pdb('db', 'db', 0));
    assert.deepEqual(victimsOf(c.schedule(pod('high', prio(10, cpu(1))))), { nodeName: 'k8ts', victims: ['free'], violations: 0 });
  });

  it('updates inter-pod anti-affinity counts for the removed pods (PreFilter extensions)', () => {
    const c = new FakeCluster([node('k8ts', { cpu: '4' })]);
    c.place(pod('noisy', prio(1, cpu(1)), { labels: { app: 'noisy' } }), 'k8ts');
    c.place(pod('quiet', prio(1, cpu(1)), { labels: { app: 'quiet' } }), 'k8ts');
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'noisy' } } }] } };
    assert.deepEqual(victimsOf(c.schedule(pod('high', prio(10, { affinity: anti })))), { nodeName: 'k8ts', victims: ['noisy'], violations: 0 });
  });

  it('updates topology spread counts for the removed pods', () => {
    const zone = (z: string) => ({ 'topology.kubernetes.io/zone': z });
    const c = new FakeCluster([node('a', { cpu: '4', labels: zone('a') }), node('b', { cpu: '1', labels: zone('b') })]);
    c.place(pod('web-1', prio(1), { labels: { app: 'web' } }), 'a');
    c.place(pod('web-2', prio(2), { labels: { app: 'web' } }), 'a');
    c.place(pod('big', prio(100, cpu(1))), 'b');
    // Zone a has 2 matching pods, zone b none: a third in a makes skew 3 > 2; b is full of a higher priority.
    const spread = [{ maxSkew: 2, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'web' } } }];
    const out = c.schedule(pod('web-new', prio(10, { ...cpu(1), topologySpreadConstraints: spread }), { labels: { app: 'web' } }));
    assert.deepEqual(victimsOf(out), { nodeName: 'a', victims: ['web-1'], violations: 0 });
  });

  it('keeps the room of a pod nominated to a node from lower-priority pods, not from higher ones', () => {
    const c = new FakeCluster([node('k8ts', { cpu: '2' })]);
    c.place(pod('running', prio(0, cpu(1))), 'k8ts');
    c.nominator.add(newPodInfo(stored(pod('nominated', prio(50, cpu(1)))) as Stored<Pod>), 'k8ts');
    const low = c.schedule(pod('low', prio(10, cpu(1))));
    assert.equal(low.kind, 'failed');
    assert.equal(c.bind(pod('higher', prio(100, cpu(1)))), 'k8ts');
  });
});

describe('pickOneNodeForPreemption', () => {
  const victim = (name: string, priority: number, startTime?: string): PodInfo =>
    newPodInfo(stored({ ...pod(name, { priority }), status: startTime ? { startTime } : {} }) as Stored<Pod>);
  const cand = (nodeName: string, pods: PodInfo[], numPDBViolations = 0): Candidate => ({ nodeName, victims: { pods, numPDBViolations } });
  const pick = (...cs: Candidate[]) => pickOneNodeForPreemption(cs)?.nodeName;

  it('applies upstream criteria in order', () => {
    assert.equal(pick(cand('a', [victim('x', 1)], 1), cand('b', [victim('y', 5)], 0)), 'b', 'fewest PDB violations');
    assert.equal(pick(cand('a', [victim('x', 5)]), cand('b', [victim('y', 3), victim('z', 2)])), 'b', 'lowest highest priority');
    assert.equal(pick(cand('a', [victim('x', 3), victim('w', 3)]), cand('b', [victim('y', 3), victim('z', 2)])), 'b', 'smallest sum of priorities');
    // Negative priorities are shifted by 2^31, so that more victims never sum lower.
    assert.equal(pick(cand('a', [victim('x', -5), victim('w', -5)]), cand('b', [victim('y', -5)])), 'b', 'sum of shifted priorities');
    const early = '2026-01-01T00:00:00Z';
    const late = '2026-01-02T00:00:00Z';
    assert.equal(pick(cand('a', [victim('x', 3, early)]), cand('b', [victim('y', 3, late)])), 'b', 'latest start of the highest-priority victims');
    assert.equal(pick(cand('a', [victim('x', 3, late)]), cand('b', [victim('y', 3, late)])), 'a', 'first candidate');
    assert.equal(pick(), undefined);
  });
});
