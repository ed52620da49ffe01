import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitErrorMessage, type Diagnosis } from './fiterror.js';
import { unresolvable, unschedulable } from './framework.js';
import { numFeasibleNodesToFind } from './schedule_one.js';

const diagnosis = (statuses: Array<[string, ReturnType<typeof unschedulable>]>, extra: Partial<Diagnosis> = {}): Diagnosis => ({
  nodeToStatus: new Map(statuses),
  unschedulablePlugins: new Set(),
  ...extra,
});

describe('FitError message', () => {
  it('counts each reason once per node and sorts "<count> <reason>" as whole strings', () => {
    const statuses: Array<[string, ReturnType<typeof unschedulable>]> = [];
    for (let i = 0; i < 10; i++) statuses.push([`n${i}`, unschedulable('Insufficient cpu', 'Insufficient memory')]);
    statuses.push(['a', unresolvable('node(s) were unschedulable')], ['b', unresolvable('node(s) were unschedulable')]);
    // "10 ..." sorts before "2 ...", exactly as sort.Strings orders them.
    assert.equal(
      fitErrorMessage(12, diagnosis(statuses)),
      '0/12 nodes are available: 10 Insufficient cpu, 10 Insufficient memory, 2 node(s) were unschedulable.',
    );
  });

  it('shows only the PreFilter message when a PreFilter rejected the pod, then the PostFilter message', () => {
    const d = diagnosis([], {
      absentStatus: unresolvable('persistentvolumeclaim "www-web-0" not found'),
      preFilterMsg: 'persistentvolumeclaim "www-web-0" not found',
      postFilterMsg: 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    });
    assert.equal(
      fitErrorMessage(3, d),
      '0/3 nodes are available: persistentvolumeclaim "www-web-0" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('gives nodes without their own status the shared absent status', () => {
    const d = diagnosis([['k8ts', unschedulable('Too many pods')]], { absentStatus: unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]") });
    assert.equal(fitErrorMessage(46, d), "0/46 nodes are available: 1 Too many pods, 45 node(s) didn't satisfy plugin(s) [NodeAffinity].");
  });
});

describe('numFeasibleNodesToFind', () => {
  it('filters every node in small clusters and an adaptive share of large ones', () => {
    assert.equal(numFeasibleNodesToFind(10), 10);
    assert.equal(numFeasibleNodesToFind(99), 99);
    assert.equal(numFeasibleNodesToFind(150), 100);
    assert.equal(numFeasibleNodesToFind(1000), 420);
    assert.equal(numFeasibleNodesToFind(6000), 300);
  });
});
