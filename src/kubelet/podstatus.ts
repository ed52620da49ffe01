// The pod status the kubelet reports: phase (kubelet getPhase), the conditions it owns
// (pkg/kubelet/status/generate.go) with their transition times, pod and host IPs and start time.

import type { Container, ContainerStatus, Pod, PodCondition, PodSpec, PodStatus } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../machinery/clock.js';
import type { Mutable } from '../machinery/objects.js';

/**
 * A time the kubelet leaves unset: Go writes the zero metav1.Time as null, which kubernetes-types'
 * string-typed times cannot say; the status compares equal to the stored one only with the null.
 */
export const UNSET_TIME = null as unknown as string;

/** A condition before its transition time is known. */
type Generated = Pick<PodCondition, 'type' | 'status' | 'reason' | 'message'>;

/** Conditions the kubelet owns (kubetypes.PodConditionByKubelet), in the order it writes them. */
const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

export interface PodStatusInput {
  /** The pod as last seen; its status supplies transition times and conditions of other writers. */
  pod: Pod;
  hostIP: string;
  podIP?: string;
  /** RFC 3339 */
  startTime: string;
  /** A sandbox with networking exists (PodReadyToStartContainers). */
  sandboxReady: boolean;
  initContainerStatuses: ContainerStatus[];
  containerStatuses: ContainerStatus[];
  /** The pod is being torn down for good: stopped containers make it Succeeded or Failed. */
  podIsTerminal: boolean;
  now: number;
}

export function isRestartableInitContainer(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

export function buildPodStatus(input: PodStatusInput): PodStatus {
  const { pod } = input;
  const ts = rfc3339(input.now);
  const spec = pod.spec!;
  const old: PodStatus = pod.status ?? {};
  const all = [...input.initContainerStatuses, ...input.containerStatuses];
  const phase = getPhase(spec, input.initContainerStatuses, input.containerStatuses, input.podIsTerminal);
  const generated: Generated[] = [
    { type: 'PodReadyToStartContainers', status: input.sandboxReady ? 'True' : 'False' },
    initializedCondition(spec, input.initContainerStatuses, input.containerStatuses, phase),
    readyCondition(pod, old.conditions ?? [], all, phase),
    containersReadyCondition(spec, all, phase),
    { type: 'PodScheduled', status: 'True' },
  ];
  const conditions = [
    ...(old.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.includes(c.type)),
    ...generated.map((c) => withTransitionTime(c, old.conditions ?? [], ts)),
  ];
  const status: Mutable<PodStatus> = { ...old, phase, conditions, hostIP: input.hostIP, hostIPs: [{ ip: input.hostIP }], startTime: input.startTime };
  if (input.podIP) {
    status.podIP = input.podIP;
    status.podIPs = [{ ip: input.podIP }];
  }
  if ((spec.initContainers ?? []).length) status.initContainerStatuses = input.initContainerStatuses;
  status.containerStatuses = input.containerStatuses;
  return status;
}

function withTransitionTime(c: Generated, previous: PodCondition[], ts: string): PodCondition {
  const prev = previous.find((p) => p.type === c.type);
  const lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : ts;
  const out: PodCondition = { lastProbeTime: UNSET_TIME, lastTransitionTime, status: c.status, type: c.type };
  if (c.reason) out.reason = c.reason;
  if (c.message) out.message = c.message;
  return out;
}

const byName = (statuses: ContainerStatus[], name: string) => statuses.find((s) => s.name === name);

/** kubelet getPhase (1.32), over API container statuses. */
export function getPhase(spec: PodSpec, initStatuses: ContainerStatus[], statuses: ContainerStatus[], podIsTerminal: boolean): string {
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    if (isRestartableInitContainer(c)) continue;
    const s = byName(initStatuses, c.name);
    if (!s) pendingInitialization++;
    else if (s.state?.running) pendingInitialization++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else pendingInitialization++;
    } else pendingInitialization++;
  }

  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.initContainers ?? []) {
    if (!isRestartableInitContainer(c)) continue;
    const s = byName(initStatuses, c.name);
    if (!s) unknown++;
    else if (s.state?.running) {
      if (!s.started) pendingInitialization++;
      running++;
    } else if (s.state?.waiting && !s.lastState?.terminated) pendingInitialization++;
  }
  for (const c of spec.containers ?? []) {
    const s = byName(statuses, c.name);
    if (!s) unknown++;
    else if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }

  if (failedInitialization > 0 && spec.restartPolicy === 'Never') return 'Failed';
  if ((pendingInitialization > 0 && !hasAnyRegularContainerStarted(spec, statuses)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (spec.restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (spec.restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function hasAnyRegularContainerStarted(spec: PodSpec, statuses: ContainerStatus[]): boolean {
  const names = new Set((spec.containers ?? []).map((c) => c.name));
  return statuses.some((s) => names.has(s.name) && (s.state?.running || s.state?.terminated));
}

/** Go's `%s` of a []string: `[a b]`. */
const goList = (names: string[]) => `[${names.join(' ')}]`;

function containersReadyCondition(spec: PodSpec, all: ContainerStatus[], phase: string): Generated {
  if (phase === 'Succeeded') return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  if (phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: 'PodFailed' };
  const unknown: string[] = [];
  const unready: string[] = [];
  const check = (c: Container) => {
    const s = byName(all, c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  };
  for (const c of spec.initContainers ?? []) if (isRestartableInitContainer(c)) check(c);
  for (const c of spec.containers ?? []) check(c);
  const messages: string[] = [];
  if (unknown.length) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length) messages.push(`containers with unready status: ${goList(unready)}`);
  if (messages.length) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: messages.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

function readyCondition(pod: Pod, conditions: PodCondition[], all: ContainerStatus[], phase: string): Generated {
  if (phase === 'Succeeded') return { type: 'Ready', status: 'False', reason: 'PodCompleted' };
  if (phase === 'Failed') return { type: 'Ready', status: 'False', reason: 'PodFailed' };
  const cr = containersReadyCondition(pod.spec!, all, phase);
  if (cr.status !== 'True') return { ...cr, type: 'Ready' };
  const messages: string[] = [];
  for (const gate of pod.spec!.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (!c) messages.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') messages.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (messages.length) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: messages.join(', ') };
  return { type: 'Ready', status: 'True' };
}

function initializedCondition(spec: PodSpec, initStatuses: ContainerStatus[], statuses: ContainerStatus[], phase: string): Generated {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of spec.initContainers ?? []) {
    const s = byName(initStatuses, c.name);
    if (!s) unknown.push(c.name);
    else if (isRestartableInitContainer(c) ? !s.started : !s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && !unknown.length) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  if (hasAnyRegularContainerStarted(spec, statuses)) return { type: 'Initialized', status: 'True' };
  const messages: string[] = [];
  if (unknown.length) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length) messages.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (messages.length) return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: messages.join(', ') };
  return { type: 'Initialized', status: 'True' };
}
