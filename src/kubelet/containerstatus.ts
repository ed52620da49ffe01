// v1.ContainerStatus from what the kubelet knows about a container: its latest runtime instance,
// the previous one (lastState), restarts and a back-off in progress (kubelet convertToAPIContainerStatuses).

import type {
  Container,
  ContainerStateTerminated,
  ContainerStatus as APIContainerStatus,
  Pod,
  VolumeMountStatus,
} from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../machinery/clock.js';
import type { ContainerKind, ContainerStatus, Runtime } from '../runtime/runtime.js';
import { isRestartableInitContainer, UNSET_TIME } from './podstatus.js';

/** The kubelet's memory of one container of a pod across restarts. */
export interface ContainerRecord {
  name: string;
  kind: ContainerKind;
  index: number;
  /** The latest runtime instance. */
  id?: string;
  /** The instance before it, kept for `logs --previous`. */
  previousId?: string;
  restartCount: number;
  /** lastState.terminated: how the previous instance ended. */
  lastTerminated?: ContainerStateTerminated;
  /** Set while the restart waits out its back-off. */
  backOff?: { reason: string; message: string };
}

export function terminatedState(rt: ContainerStatus, runtimeType: string): ContainerStateTerminated {
  return {
    containerID: `${runtimeType}://${rt.id}`,
    exitCode: rt.exitCode ?? 0,
    finishedAt: rt.finishedAt === undefined ? UNSET_TIME : rfc3339(rt.finishedAt),
    reason: rt.reason ?? (rt.exitCode ? 'Error' : 'Completed'),
    startedAt: rt.startedAt === undefined ? UNSET_TIME : rfc3339(rt.startedAt),
    ...(rt.message ? { message: rt.message } : {}),
  };
}

/**
 * `waitingReason` is what a container not running yet waits for: ContainerCreating, or PodInitializing
 * in a pod with init containers.
 */
export function apiContainerStatus(
  spec: Container,
  rec: ContainerRecord,
  rt: ContainerStatus | undefined,
  waitingReason: string,
  runtimeType: string,
): APIContainerStatus {
  const status: APIContainerStatus = {
    image: spec.image!,
    imageID: '',
    lastState: rec.lastTerminated ? { terminated: rec.lastTerminated } : {},
    name: spec.name,
    ready: false,
    restartCount: rec.restartCount,
    started: false,
    state: { waiting: rec.backOff ?? { reason: waitingReason } },
  };
  if (!rt) return status;
  status.containerID = `${runtimeType}://${rt.id}`;
  status.image = rt.image;
  status.imageID = rt.imageRef;
  if (rt.state === 'running') {
    status.state = { running: { startedAt: rfc3339(rt.startedAt!) } };
    status.started = true;
    status.ready = rec.kind !== 'init' && rt.ready;
  } else if (rt.state === 'exited') {
    const terminated = terminatedState(rt, runtimeType);
    if (rec.backOff) {
      status.state = { waiting: rec.backOff };
      status.lastState = { terminated };
    } else status.state = { terminated };
    // A regular init container that succeeded counts as ready (prober manager UpdatePodStatus).
    status.ready = rec.kind === 'init' && rt.exitCode === 0;
  }
  const mounts = volumeMounts(spec);
  if (mounts) status.volumeMounts = mounts;
  return status;
}

/** The mounts the runtime reports for a created container (status.volumeMounts, 1.31+). */
function volumeMounts(spec: Container): VolumeMountStatus[] | undefined {
  const list = spec.volumeMounts ?? [];
  if (!list.length) return undefined;
  return list.map((m) => {
    const out: VolumeMountStatus = { mountPath: m.mountPath, name: m.name };
    if (m.readOnly) {
      out.readOnly = true;
      out.recursiveReadOnly = m.recursiveReadOnly ?? 'Disabled';
    }
    return out;
  });
}

/** Status of every init and regular container of the pod, in spec order. */
export function containerStatuses(
  pod: Pod,
  records: Map<string, ContainerRecord>,
  runtime: Runtime,
): { init: APIContainerStatus[]; regular: APIContainerStatus[] } {
  const waiting = (pod.spec!.initContainers ?? []).length ? 'PodInitializing' : 'ContainerCreating';
  const convert = (specs: Container[], kind: (s: Container) => ContainerKind) =>
    specs.map((spec, i) => {
      const rec: ContainerRecord = records.get(spec.name) ?? { name: spec.name, kind: kind(spec), index: i, restartCount: 0 };
      return apiContainerStatus(spec, rec, rec.id ? runtime.containerStatus(rec.id) : undefined, waiting, runtime.type);
    });
  return {
    init: convert(pod.spec!.initContainers ?? [], (s) => (isRestartableInitContainer(s) ? 'sidecar' : 'init')),
    regular: convert(pod.spec!.containers ?? [], () => 'regular'),
  };
}

/**
 * Records for a pod that already ran before this kubelet started (a server restart): its containers are
 * gone, so everything runs again with restartCount + 1 and lastState Unknown/255, as after a node reboot.
 */
export function recoveredRecords(pod: Pod): ContainerRecord[] {
  const inits = new Set((pod.spec!.initContainers ?? []).map((c) => c.name));
  const out: ContainerRecord[] = [];
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const started = s.state?.running ?? s.state?.terminated;
    if (!started) continue;
    out.push({
      name: s.name,
      kind: inits.has(s.name) ? 'init' : 'regular',
      index: 0,
      restartCount: (s.restartCount ?? 0) + 1,
      lastTerminated: { containerID: s.containerID, exitCode: 255, finishedAt: UNSET_TIME, reason: 'Unknown', startedAt: started.startedAt ?? UNSET_TIME },
    });
  }
  return out;
}
