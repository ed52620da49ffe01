// Which container instance `kubectl logs` reads: the API server's container check
// (registry/core/pod ValidateContainer) and the kubelet's validateContainerLogStatus, with their messages.

import type { ContainerStatus, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../client/objects.js';
import { badRequest } from '../machinery/errors.js';

/** The container named in the request, or the pod's only container; 400 BadRequest otherwise. */
export function validateContainer(pod: Stored<Pod>, container: string | undefined): string {
  const name = pod.metadata.name;
  const spec: Partial<PodSpec> = pod.spec ?? {};
  const names = (list: Array<{ name: string }> | undefined) => (list ?? []).map((c) => c.name);
  if (!container) {
    const containers = names(spec.containers);
    if (containers.length === 1) return containers[0];
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
    const inits = names(spec.initContainers);
    if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`;
    throw badRequest(msg);
  }
  const all = [...names(spec.containers), ...names(spec.initContainers), ...names(spec.ephemeralContainers)];
  if (!all.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** The parts of a container status that say which instance has logs. */
export type LogStatus = Pick<ContainerStatus, 'name' | 'containerID' | 'state' | 'lastState'>;

/** The runtime container ID whose output to return, from the pod's container statuses. */
export function logContainerID(podName: string, statuses: LogStatus[], container: string, previous: boolean): string {
  const s = statuses.find((x) => x.name === container);
  const quoted = `container "${container}" in pod "${podName}"`;
  if (!s) throw badRequest(`${quoted} is not available`);
  const last = s.lastState?.terminated;
  const { waiting, running, terminated } = s.state ?? {};
  let id: string | undefined;
  if (previous) {
    if (!last?.containerID) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    id = last.containerID;
  } else if (running) id = s.containerID;
  else if (terminated) {
    id = terminated.containerID || last?.containerID;
    if (!id) throw badRequest(`${quoted} is terminated`);
  } else if (last) {
    if (!last.containerID) throw badRequest(`${quoted} is terminated`);
    id = last.containerID;
  } else if (waiting) {
    if (waiting.reason === 'ErrImagePull') throw badRequest(`${quoted} is waiting to start: image can't be pulled`);
    if (waiting.reason === 'ImagePullBackOff') throw badRequest(`${quoted} is waiting to start: trying and failing to pull image`);
    throw badRequest(`${quoted} is waiting to start: ${waiting.reason}`);
  } else throw badRequest(`${quoted} is waiting to start - no logs yet`);
  return id!.slice(id!.indexOf('://') + 3);
}
