// The endpoints.kubernetes.io/last-change-trigger-time annotation (endpointsliceutil TriggerTimeTracker):
// the earliest change since the last sync that made the endpoints change — a pod's Ready condition
// transition, or the Service's creation for a Service seen for the first time.

import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../../client/objects.js';
import { rfc3339 } from '../../machinery/clock.js';
import { getPodReadyCondition } from '../controller_utils.js';

export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState {
  serviceTime: number;
  podTimes: Map<string, number>;
}

const parse = (ts: string | undefined): number => (ts ? Date.parse(ts) || 0 : 0);

function podTriggerTime(pod: Pod): number {
  return parse(getPodReadyCondition(pod)?.lastTransitionTime);
}

export class TriggerTimeTracker {
  private states = new Map<string, ServiceState>();

  /** The trigger time to write, as an RFC 3339 string, or undefined when there is none. */
  compute(svc: Stored<Service>, pods: Array<Stored<Pod>>): string | undefined {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const prior = this.states.get(key);
    let min = 0;
    const consider = (t: number) => {
      if (t && (!min || t < min)) min = t;
    };
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (!t) continue;
      podTimes.set(pod.metadata.name, t);
      if (t > (prior?.podTimes.get(pod.metadata.name) ?? 0)) consider(t);
    }
    const serviceTime = parse(svc.metadata.creationTimestamp);
    if (serviceTime > (prior?.serviceTime ?? 0)) consider(serviceTime);
    this.states.set(key, { serviceTime, podTimes });
    const t = prior ? min : serviceTime;
    return t ? rfc3339(t) : undefined;
  }

  delete(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}
