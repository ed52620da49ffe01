// Service, Endpoints and EndpointSlice defaults.
// ipFamilies, ipFamilyPolicy and clusterIPs are filled by the Service registry upstream (IP allocation);
// they are set here for a single-stack IPv4 cluster so a created Service reads back as a real one does.

import type { Endpoints, Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Loose } from '../loose.js';

const CLIENT_IP_AFFINITY_SECONDS = 10800;

function externallyAccessible(spec: Loose<ServiceSpec>): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
}

export function defaultService(svc: Loose<Service>): void {
  const spec = (svc.spec ??= {});
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == null) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: CLIENT_IP_AFFINITY_SECONDS } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const port of spec.ports ?? []) {
    if (!port.protocol) port.protocol = 'TCP';
    if (port.targetPort == null || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy == null && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') {
    spec.allocateLoadBalancerNodePorts ??= true;
    for (const ingress of svc.status?.loadBalancer?.ingress ?? []) if (ingress.ip && ingress.ipMode == null) ingress.ipMode = 'VIP';
  }
  if (spec.type === 'ExternalName') return;
  if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
  // Headless Services without a selector default to RequireDualStack; on a single-stack cluster that is one family.
  const headlessWithoutSelector = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  spec.ipFamilyPolicy ??= headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack';
  if (!spec.ipFamilies?.length) spec.ipFamilies = ['IPv4'];
}

export function defaultEndpoints(ep: Loose<Endpoints>): void {
  for (const subset of ep.subsets ?? []) for (const port of subset.ports ?? []) if (!port.protocol) port.protocol = 'TCP';
}

export function defaultEndpointSlice(slice: Loose<EndpointSlice>): void {
  for (const port of slice.ports ?? []) {
    port.name ??= '';
    port.protocol ??= 'TCP';
  }
}
