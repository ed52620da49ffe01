// What a pod contributes to a Service's endpoints (pkg/api/v1/pod and endpointslice/util upstream):
// readiness, whether it is an endpoint at all, its address for an IP family, its hostname, its ports.

import type { ObjectReference, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { isIPv6 } from '../../machinery/names.js';

/** A pod in a terminal phase: Succeeded or Failed. */
export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * ShouldPodBeInEndpoints: terminal pods and pods without an IP are never endpoints; terminating pods
 * only when asked for (EndpointSlices always include them, with their conditions).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !((pod.status?.podIPs?.length ?? 0) > 0)) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** ShouldSetHostname: only under the Service its spec.subdomain names, in its own namespace. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

export type AddressType = 'IPv4' | 'IPv6';

/** The pod IP of the family, from status.podIPs or, without them, status.podIP. */
export function podIPFor(pod: Pod, family: AddressType): string | undefined {
  const ips: string[] = pod.status?.podIPs?.length ? pod.status.podIPs.flatMap((p) => p.ip ?? []) : [pod.status?.podIP].filter((ip): ip is string => !!ip);
  return ips.find((ip) => (family === 'IPv6') === isIPv6(ip));
}

/** The family a Service's endpoints use: its first ipFamily, else its clusterIP's, else the pod's. */
export function serviceFamily(svc: Service, pod?: Pod): AddressType {
  const first = svc.spec?.ipFamilies?.[0];
  if (first === 'IPv4' || first === 'IPv6') return first;
  const clusterIP: string | undefined = svc.spec?.clusterIP;
  if (clusterIP && clusterIP !== 'None') return isIPv6(clusterIP) ? 'IPv6' : 'IPv4';
  return pod?.status?.podIP && isIPv6(pod.status.podIP) ? 'IPv6' : 'IPv4';
}

/**
 * podutil.FindPort: a numeric targetPort is taken as it is; a named one must match a container port of
 * the same protocol (regular containers, then restartable init containers), or the pod lacks the port.
 */
export function findPort(pod: Pod, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  const protocol = svcPort.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** ObjectReference a pod endpoint points back with. */
export function podRef(pod: Pod): ObjectReference {
  return { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid };
}
