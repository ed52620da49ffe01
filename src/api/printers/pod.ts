// Pod table: printPod's READY / STATUS / RESTARTS algorithm, including init containers and sidecars.

import { humanDuration, parseTimestamp } from '../../machinery/duration.js';
import { age } from './format.js';
import { ageColumn, column, nameColumn, wide } from './columns.js';
import type { Container, ContainerStateTerminated, ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import type { TablePrinter, TableRowCondition } from './types.js';

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

function isSidecar(container: Loose<Container> | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

function conditionStatus(pod: Loose<Pod>, type: string | undefined): string | undefined {
  return (pod.status?.conditions ?? []).find((c) => c.type === type)?.status;
}

/** Latest `lastState.terminated.finishedAt` seen so far (ms), or undefined. */
function laterFinish(latest: number | undefined, status: Loose<ContainerStatus>): number | undefined {
  const t = parseTimestamp(status.lastState?.terminated?.finishedAt);
  if (t === undefined) return latest;
  return latest === undefined || t > latest ? t : latest;
}

function terminatedReason(term: Loose<ContainerStateTerminated>, prefix: string): string {
  if (term.reason) return prefix + term.reason;
  if (term.signal) return `${prefix}Signal:${term.signal}`;
  return `${prefix}ExitCode:${term.exitCode ?? 0}`;
}

export function summarizePod(pod: Loose<Pod>, now: number): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initSpecs: Loose<Container[]> = spec.initContainers ?? [];
  const initByName = new Map<string | undefined, Loose<Container>>(initSpecs.map((c) => [c.name, c]));

  const total = (spec.containers ?? []).length + initSpecs.filter(isSidecar).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  let reason: string = status.reason || status.phase || '';
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses: Loose<ContainerStatus[]> = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const sidecar = isSidecar(initByName.get(cs.name));
    restarts += cs.restartCount ?? 0;
    lastRestart = laterFinish(lastRestart, cs);
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = laterFinish(lastSidecarRestart, cs);
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) reason = terminatedReason(term, 'Init:');
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionStatus(pod, 'Initialized') === 'True') {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: Loose<ContainerStatus[]> = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = laterFinish(lastRestart, cs);
      const term = cs.state?.terminated;
      if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
      else if (term) reason = terminatedReason(term, '');
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose finished containers say Completed but which still runs one is shown as running.
    if (reason === 'Completed' && hasRunning) {
      reason = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp) {
    if (status.reason === 'NodeLost') reason = 'Unknown';
    else if (status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  }

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsText = `${restarts} (${humanDuration(now - lastRestart)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText };
}

function readinessGates(pod: Loose<Pod>): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const trueCount = gates.filter((g) => conditionStatus(pod, g.conditionType) === 'True').length;
  return `${trueCount}/${gates.length}`;
}

const COMPLETED: Record<string, TableRowCondition> = {
  Succeeded: { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
  Failed: { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
};

export const podPrinter: TablePrinter<Loose<Pod>> = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn(),
    wide('IP', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
    wide('Node', 'NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.'),
    wide('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.'),
    wide('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates'),
  ],
  cells(pod, now) {
    const s = summarizePod(pod, now);
    return [
      pod.metadata?.name ?? '',
      s.ready,
      s.status,
      s.restarts,
      age(pod, now),
      // v1 -> internal conversion fills podIPs from podIP when only the latter is set.
      pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>',
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(pod) {
    const c = COMPLETED[pod.status?.phase ?? ''];
    return c ? [c] : [];
  },
};
