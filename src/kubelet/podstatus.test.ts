import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerStatus, Pod, PodSpec, PodStatus } from 'kubernetes-types/core/v1.js';
import { Backoff, goDuration } from './backoff.js';
import { PodIPAM } from './ipam.js';
import { buildPodStatus, getPhase, UNSET_TIME, type PodStatusInput } from './podstatus.js';

/** A container status with the fields the phase and conditions do not read filled in. */
const cs = (s: Omit<ContainerStatus, 'image' | 'imageID' | 'restartCount'>): ContainerStatus => ({ image: 'nginx', imageID: '', restartCount: 0, ...s });

const running = (name: string, ready = true) => cs({ name, ready, started: true, state: { running: { startedAt: 'x' } }, lastState: {} });
const terminated = (name: string, exitCode: number) => cs({ name, ready: false, state: { terminated: { exitCode } }, lastState: {} });
const waiting = (name: string, lastExit?: number) =>
  cs({
    name,
    ready: false,
    state: { waiting: { reason: 'CrashLoopBackOff' } },
    lastState: lastExit === undefined ? {} : { terminated: { exitCode: lastExit } },
  });
const spec = (restartPolicy: string, containers = ['a', 'b'], inits: string[] = []): PodSpec => ({
  restartPolicy,
  containers: containers.map((name) => ({ name })),
  initContainers: inits.map((name) => ({ name })),
});

describe('getPhase (kubelet_pods_test cases)', () => {
  it('is Pending while a container waits to start or init is pending', () => {
    assert.equal(getPhase(spec('Always'), [], [running('a'), waiting('b')], false), 'Pending');
    assert.equal(getPhase(spec('Always', ['a'], ['i']), [running('i')], [waiting('a')], false), 'Pending');
  });

  it('is Failed when an init container fails under Never', () => {
    assert.equal(getPhase(spec('Never', ['a'], ['i']), [terminated('i', 1)], [waiting('a')], false), 'Failed');
    // Init:CrashLoopBackOff under Always stays Pending.
    assert.equal(getPhase(spec('Always', ['a'], ['i']), [waiting('i', 1)], [cs({ name: 'a', ready: false, state: { waiting: { reason: 'PodInitializing' } }, lastState: {} })], false), 'Pending');
  });

  it('is Running while containers run or restart under Always', () => {
    assert.equal(getPhase(spec('Always'), [], [running('a'), running('b')], false), 'Running');
    assert.equal(getPhase(spec('Always'), [], [terminated('a', 0), waiting('b', 1)], false), 'Running');
    assert.equal(getPhase(spec('OnFailure'), [], [terminated('a', 0), terminated('b', 1)], false), 'Running');
  });

  it('is Succeeded or Failed when containers are done and will not restart', () => {
    assert.equal(getPhase(spec('Never'), [], [terminated('a', 0), terminated('b', 0)], false), 'Succeeded');
    assert.equal(getPhase(spec('Never'), [], [terminated('a', 0), terminated('b', 2)], false), 'Failed');
    assert.equal(getPhase(spec('OnFailure'), [], [terminated('a', 0), terminated('b', 0)], false), 'Succeeded');
    // A deleted pod is terminal whatever its restart policy.
    assert.equal(getPhase(spec('Always'), [], [terminated('a', 0), terminated('b', 0)], true), 'Succeeded');
    assert.equal(getPhase(spec('Always'), [], [terminated('a', 0), terminated('b', 137)], true), 'Failed');
  });
});

describe('buildPodStatus', () => {
  const base = (status: PodStatus, extra: Partial<PodSpec> = {}): Pod => ({
    metadata: { name: 'p' },
    spec: { restartPolicy: 'Always', containers: [{ name: 'a' }], ...extra },
    status,
  });
  const input = (pod: Pod, statuses: ContainerStatus[], now: number): PodStatusInput => ({
    pod,
    hostIP: '192.168.49.2',
    podIP: '10.244.0.5',
    startTime: '1970-01-01T00:00:00Z',
    sandboxReady: true,
    initContainerStatuses: [],
    containerStatuses: statuses,
    podIsTerminal: false,
    now,
  });

  it('keeps other writers conditions first and transition times of unchanged conditions', () => {
    const old: PodStatus = {
      qosClass: 'BestEffort',
      conditions: [
        { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', lastProbeTime: UNSET_TIME },
        { type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:00:01Z' },
      ],
    };
    const s = buildPodStatus(input(base(old), [running('a')], Date.parse('2026-01-01T00:01:00Z')));
    assert.deepEqual(
      s.conditions!.map((c) => c.type),
      ['DisruptionTarget', 'PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'],
    );
    assert.equal(s.conditions!.find((c) => c.type === 'PodScheduled')!.lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.equal(s.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, '2026-01-01T00:01:00Z');
    assert.equal(s.qosClass, 'BestEffort');
    assert.deepEqual(s.podIPs, [{ ip: '10.244.0.5' }]);
    assert.equal(s.startTime, '1970-01-01T00:00:00Z');
  });

  it('holds Ready back for readiness gates', () => {
    const s = buildPodStatus(input(base({}, { readinessGates: [{ conditionType: 'example.com/lb' }] }), [running('a')], 0));
    const ready = s.conditions!.find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message], ['False', 'ReadinessGatesNotReady', 'corresponding condition of pod readiness gate "example.com/lb" does not exist.']);
  });

  it('reports incomplete init containers', () => {
    const pod = base({}, { initContainers: [{ name: 'i1' }, { name: 'i2' }] });
    const s = buildPodStatus({ ...input(pod, [waiting('a')], 0), initContainerStatuses: [{ ...terminated('i1', 0), ready: true }, running('i2', false)] });
    const init = s.conditions!.find((c) => c.type === 'Initialized')!;
    assert.deepEqual([init.status, init.reason, init.message], ['False', 'ContainersNotInitialized', 'containers with incomplete status: [i2]']);
  });
});

describe('Backoff', () => {
  it('doubles from 10s to 5m and forgets after 10 quiet minutes', () => {
    const b = new Backoff();
    b.next('c', 0, 0);
    const seen = [b.get('c')];
    for (let i = 0; i < 6; i++) {
      b.next('c', 1, 1);
      seen.push(b.get('c'));
    }
    assert.deepEqual(seen, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    assert.ok(b.isInBackOffSince('c', 1000, 2000));
    assert.ok(!b.isInBackOffSince('c', 1000, 301_000));
    b.next('c', 1 + 600_001, 1 + 600_001);
    assert.equal(b.get('c'), 10_000);
  });

  it('prints Go durations', () => {
    assert.deepEqual([10_000, 80_000, 300_000, 3_600_000, 1500].map(goDuration), ['10s', '1m20s', '5m0s', '1h0m0s', '1.5s']);
  });
});

describe('PodIPAM', () => {
  it('hands out addresses round-robin, skipping network and gateway', () => {
    const ipam = new PodIPAM('10.244.0.0/30');
    assert.equal(ipam.allocate(), '10.244.0.2');
    assert.throws(() => ipam.allocate(), /no IP addresses available in range set: 10\.244\.0\.1-10\.244\.0\.2/);
    ipam.release('10.244.0.2');
    const big = new PodIPAM('10.244.1.0/24');
    assert.deepEqual([big.allocate(), big.allocate()], ['10.244.1.2', '10.244.1.3']);
    big.release('10.244.1.2');
    assert.equal(big.allocate(), '10.244.1.4', 'released addresses are not reused right away');
    assert.equal(big.allocate('10.244.1.2'), '10.244.1.2', 'a preferred free address is honoured');
    assert.equal(big.allocate('10.9.9.9'), '10.244.1.5');
  });
});
