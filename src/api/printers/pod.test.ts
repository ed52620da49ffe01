import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { podPrinter, summarizePod } from './pod.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const finished = (ms: number) => ({ terminated: { exitCode: 0, finishedAt: ago(ms) } });
const containers = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'img' }));
const sidecar = (name: string) => ({ name, image: 'img', restartPolicy: 'Always' });

function row(pod: Loose<Pod>): [string, string, string] {
  const s = summarizePod(pod, NOW);
  return [s.ready, s.status, s.restarts];
}

// Cases mirror kubernetes/kubernetes pkg/printers/internalversion printers_test.go TestPrintPod.
test('ready counts only ready and running containers; phase is the default status', () => {
  const pod = {
    spec: { containers: containers(2) },
    status: { phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: { running: {} } }, { restartCount: 3 }] },
  };
  assert.deepEqual(row(pod), ['1/2', 'podPhase', '6']);
});

test('status.reason overrides the phase', () => {
  const pod = {
    spec: { containers: containers(2) },
    status: { phase: 'podPhase', reason: 'podReason', containerStatuses: [{ ready: true, restartCount: 3, state: { running: {} } }, { ready: true, restartCount: 3 }] },
  };
  assert.deepEqual(row(pod), ['1/2', 'podReason', '6']);
});

test('a waiting reason overrides the phase, and the first container wins', () => {
  const waitingLast = {
    spec: { containers: containers(2) },
    status: {
      phase: 'Running',
      containerStatuses: [{ ready: true, restartCount: 3, state: { running: {} } }, { restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
    },
  };
  assert.deepEqual(row(waitingLast), ['1/2', 'CrashLoopBackOff', '6']);
  const bothFailing = {
    spec: { containers: containers(2) },
    status: {
      phase: 'podPhase',
      containerStatuses: [
        { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } },
        { restartCount: 3, state: { terminated: { reason: 'ContainerTerminatedReason' } } },
      ],
    },
  };
  assert.deepEqual(row(bothFailing), ['0/2', 'ContainerWaitingReason', '6']);
});

test('terminated without a reason shows Signal:N or ExitCode:N', () => {
  const signal = { spec: { containers: containers(1) }, status: { phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 137, signal: 9 } } }] } };
  assert.deepEqual(row(signal), ['0/1', 'Signal:9', '0']);
  const exit = { spec: { containers: containers(1) }, status: { phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 2 } } }] } };
  assert.deepEqual(row(exit), ['0/1', 'ExitCode:2', '0']);
});

test('Completed with a running sibling becomes Running or NotReady by the Ready condition', () => {
  const statuses = [
    { ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
    { ready: true, restartCount: 3, state: { running: {} } },
  ];
  const notReady = { spec: { containers: containers(2) }, status: { phase: 'Running', containerStatuses: statuses } };
  assert.deepEqual(row(notReady), ['1/2', 'NotReady', '6']);
  const ready = { ...notReady, status: { ...notReady.status, conditions: [{ type: 'Ready', status: 'True' }] } };
  assert.deepEqual(row(ready), ['1/2', 'Running', '6']);
});

test('init containers: Init:i/N for the first unfinished one, restarts counted with last restart age', () => {
  const pod = {
    spec: { initContainers: containers(2), containers: containers(1) },
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'c0', restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: { terminated: { finishedAt: ago(2 * 60_000) } } },
        { name: 'c1', restartCount: 3, state: { running: {} }, lastState: { terminated: { finishedAt: ago(10_000) } } },
      ],
      containerStatuses: [{ state: { waiting: {} } }],
    },
  };
  assert.deepEqual(row(pod), ['0/1', 'Init:1/2', '5 (10s ago)']);
});

test('init container failures: Init:<reason>, Init:ExitCode:N, Init:CrashLoopBackOff; PodInitializing is ignored', () => {
  const base = (initStatus: Loose<ContainerStatus>) => ({
    spec: { initContainers: containers(1), containers: containers(1) },
    status: { phase: 'Pending', initContainerStatuses: [{ name: 'c0', ...initStatus }], containerStatuses: [{ state: { waiting: { reason: 'PodInitializing' } } }] },
  });
  assert.equal(row(base({ state: { terminated: { exitCode: 1, reason: 'Error' } } }))[1], 'Init:Error');
  assert.equal(row(base({ state: { terminated: { exitCode: 3 } } }))[1], 'Init:ExitCode:3');
  assert.equal(row(base({ state: { terminated: { exitCode: 137, signal: 9 } } }))[1], 'Init:Signal:9');
  assert.equal(row(base({ restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }))[1], 'Init:CrashLoopBackOff');
  assert.equal(row(base({ state: { waiting: { reason: 'PodInitializing' } } }))[1], 'Init:0/1');
});

test('after init, restarts count only app containers and show the latest restart', () => {
  const pod = {
    spec: { initContainers: containers(1), containers: containers(1) },
    status: {
      phase: 'Running',
      initContainerStatuses: [{ name: 'c0', restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: { terminated: { finishedAt: ago(120_000) } } }],
      containerStatuses: [{ restartCount: 4, state: { running: {} }, lastState: { terminated: { finishedAt: ago(20_000) } } }],
    },
  };
  assert.deepEqual(row(pod), ['0/1', 'Running', '4 (20s ago)']);
  const twoContainers = {
    spec: { containers: containers(2) },
    status: {
      phase: 'Running',
      containerStatuses: [
        { ready: true, restartCount: 6, state: { running: {} }, lastState: finished(5 * 86_400_000) },
        { ready: true, restartCount: 3, state: { running: {} }, lastState: finished(20 * 86_400_000) },
      ],
    },
  };
  assert.deepEqual(row(twoContainers), ['2/2', 'Running', '9 (5d ago)']);
});

test('sidecars count toward READY total; started sidecars do not block init', () => {
  const spec = { initContainers: [sidecar('s1'), sidecar('s2')], containers: containers(1) };
  const notStarted = {
    spec,
    status: {
      phase: 'Pending',
      conditions: [{ type: 'Initialized', status: 'False' }],
      initContainerStatuses: [
        { name: 's1', restartCount: 3, started: true, state: { running: {} }, lastState: finished(10_000) },
        { name: 's2', started: false, state: { running: {} } },
      ],
      containerStatuses: [{ state: { waiting: {} } }],
    },
  };
  assert.deepEqual(row(notStarted), ['0/3', 'Init:1/2', '3 (10s ago)']);
  const running = {
    spec,
    status: {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [
        { name: 's1', restartCount: 3, started: true, ready: true, state: { running: {} }, lastState: finished(10_000) },
        { name: 's2', started: true, ready: true, state: { running: {} } },
      ],
      containerStatuses: [{ ready: true, restartCount: 4, state: { running: {} }, lastState: finished(20_000) }],
    },
  };
  assert.deepEqual(row(running), ['3/3', 'Running', '7 (10s ago)']);
});

test('statuses for unknown init containers are treated as plain init containers', () => {
  const pod = {
    spec: { initContainers: [{ name: 'init1' }, sidecar('sidecar1')], containers: [{ name: 'container1' }] },
    status: { phase: 'Running', initContainerStatuses: [{ name: 'initinvalid' }, { name: 'init1' }, { name: 'sidecar1' }], containerStatuses: [{ name: 'containerinvalid' }, { name: 'container1' }] },
  };
  assert.deepEqual(row(pod), ['0/2', 'Init:0/2', '0']);
});

test('SchedulingGated comes from the PodScheduled condition', () => {
  const pod = { spec: { containers: containers(2) }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } };
  assert.deepEqual(row(pod), ['0/2', 'SchedulingGated', '0']);
});

test('deletion: Terminating unless terminal, Unknown for NodeLost', () => {
  const deleting = { metadata: { deletionTimestamp: ago(10_000) } };
  const running = { ...deleting, spec: { containers: containers(1) }, status: { phase: 'Running', containerStatuses: [{ state: { running: {} } }] } };
  assert.equal(row(running)[1], 'Terminating');
  const pending = { ...deleting, spec: { containers: containers(1) }, status: { phase: 'Pending' } };
  assert.equal(row(pending)[1], 'Terminating');
  const succeeded = {
    ...deleting,
    spec: { containers: containers(1) },
    status: { phase: 'Succeeded', containerStatuses: [{ state: { terminated: { reason: 'Completed', exitCode: 0 } } }] },
  };
  assert.equal(row(succeeded)[1], 'Completed');
  const nodeLost = { ...deleting, spec: { containers: containers(1) }, status: { phase: 'Running', reason: 'NodeLost' } };
  assert.equal(row(nodeLost)[1], 'Unknown');
});

test('cells include the wide columns and terminal pods carry the Completed row condition', () => {
  const pod = {
    metadata: { name: 'web-0', creationTimestamp: ago(5 * 60_000) },
    spec: { containers: containers(2), nodeName: 'node1', readinessGates: [{ conditionType: 'c1' }, { conditionType: 'c2' }, { conditionType: 'c3' }] },
    status: {
      phase: 'podPhase',
      podIPs: [{ ip: '1.1.1.1' }],
      nominatedNodeName: 'node2',
      conditions: [{ type: 'c1', status: 'False' }, { type: 'c2', status: 'True' }],
      containerStatuses: [{ ready: true, restartCount: 3, state: { running: {} } }, { restartCount: 3 }],
    },
  };
  assert.deepEqual(podPrinter.cells(pod, NOW), ['web-0', '1/2', 'podPhase', '6', '5m', '1.1.1.1', 'node1', 'node2', '1/3']);
  assert.deepEqual(podPrinter.cells({ metadata: { name: 'p' }, spec: { containers: containers(1) }, status: {} }, NOW).slice(4), ['<unknown>', '<none>', '<none>', '<none>', '<none>']);
  assert.equal(podPrinter.cells({ metadata: { name: 'p' }, spec: { containers: [] }, status: { podIP: '10.0.0.9' } }, NOW)[5], '10.0.0.9');
  assert.deepEqual(podPrinter.conditions!({ status: { phase: 'Succeeded' } }), [
    { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
  ]);
  assert.deepEqual(podPrinter.conditions!({ status: { phase: 'Failed' } })[0].reason, 'Failed');
  assert.deepEqual(podPrinter.conditions!({ status: { phase: 'Running' } }), []);
  assert.equal(podPrinter.columns.length, 9);
  assert.deepEqual(podPrinter.columns.filter((c) => c.priority === 1).map((c) => c.name), ['IP', 'Node', 'Nominated Node', 'Readiness Gates']);
});
