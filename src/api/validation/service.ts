// Services (ValidateService / ValidateServiceUpdate), Endpoints and discovery/v1 EndpointSlices.
// clusterIPs is read as [clusterIP] when only clusterIP is set, as the Service strategy normalizes it first.
import type { EndpointAddress, EndpointPort, Endpoints, Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Loose } from '../loose.js';
import { fieldDuplicate, fieldForbidden, fieldNotSupported, fieldRequired } from '../../machinery/errors.js';
import { isIP, isIPv4, isIPv6, isValidPortNum, nameIsDNS1035Label, nameIsDNSSubdomain } from '../../machinery/names.js';
import { arr, child, duplicateRendered, each, index, intOrStringValue, invalid, isSet, obj, str, tooMany, type Errors } from './field.js';
import { validateDNS1123Label, validateDNS1123Subdomain, validateName, validatePortNumOrName, validateQualifiedName } from './formats.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validateLabels } from './selector.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

const clusterIPsOf = (spec: Loose<ServiceSpec>): string[] => (arr(spec.clusterIPs).length > 0 ? arr(spec.clusterIPs) : spec.clusterIP ? [spec.clusterIP] : []);
const isHeadless = (spec: Loose<ServiceSpec>) => {
  const ips = clusterIPsOf(spec);
  return ips.length === 1 && ips[0] === 'None';
};

/** %#v of the (protocol, port) key upstream reports duplicate ports with. */
const servicePortKey = (port: Loose<ServicePort>) =>
  `core.ServicePort{Name:"", Protocol:${JSON.stringify(str(port.protocol))}, AppProtocol:(*string)(nil), Port:${Number(port.port ?? 0)}, TargetPort:${intOrStringValue(0)}, NodePort:0}`;

function validateServicePort(sp: Loose<ServicePort>, requireName: boolean, names: Set<string>, path: string): Errors {
  const errs: Errors = [];
  const name = str(sp.name);
  if (requireName && !name) errs.push(fieldRequired(child(path, 'name')));
  else if (name) {
    errs.push(...validateDNS1123Label(name, child(path, 'name')));
    if (names.has(name)) errs.push(fieldDuplicate(child(path, 'name'), name));
    else names.add(name);
  }
  errs.push(...each(child(path, 'port'), sp.port ?? 0, isValidPortNum(Number(sp.port ?? 0))));
  if (!sp.protocol) errs.push(fieldRequired(child(path, 'protocol')));
  else if (!PROTOCOLS.includes(sp.protocol)) errs.push(fieldNotSupported(child(path, 'protocol'), sp.protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, child(path, 'targetPort')));
  if (isSet(sp.appProtocol)) errs.push(...validateQualifiedName(str(sp.appProtocol), child(path, 'appProtocol')));
  return errs;
}

function validateClusterIPsRelated(spec: Loose<ServiceSpec>): Errors {
  if (spec.type === 'ExternalName') return [];
  const errs: Errors = [];
  const ips = clusterIPsOf(spec);
  if (spec.clusterIP && ips[0] !== spec.clusterIP) errs.push(invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  const seen = new Set<string>();
  arr<string>(spec.ipFamilies).forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) errs.push(fieldNotSupported(index('spec.ipFamilies', i), f, IP_FAMILIES));
    if (seen.has(f)) errs.push(fieldDuplicate(index('spec.ipFamilies', i), f));
    seen.add(f);
  });
  if (isSet(spec.ipFamilyPolicy) && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) errs.push(fieldNotSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) errs.push(invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
    } else if (!isIP(ip)) {
      errs.push(invalid(index('spec.clusterIPs', i), ip, INVALID_IP));
    }
  });
  if (ips.length > 2) errs.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  else if (ips.length === 2 && ips.every(isIP) && isIPv4(ips[0]) === isIPv4(ips[1])) errs.push(invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  return errs;
}

function validateTrafficPolicies(spec: Loose<ServiceSpec>): Errors {
  const errs: Errors = [];
  const external = spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && arr(spec.externalIPs).length > 0);
  if (!external) {
    if (spec.externalTrafficPolicy) errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!spec.externalTrafficPolicy) {
    errs.push(fieldRequired('spec.externalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy)) {
    errs.push(fieldNotSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  }
  const needsHealthCheck = spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
  if (!needsHealthCheck && spec.healthCheckNodePort) {
    errs.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  }
  if (!isSet(spec.internalTrafficPolicy)) {
    if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(str(spec.type))) errs.push(fieldRequired('spec.internalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) {
    errs.push(fieldNotSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  return errs;
}

export function validateService(svc: Loose<Service>): Errors {
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  const spec = obj(svc.spec);
  const ports = arr(spec.ports);
  if (ports.length === 0 && !isHeadless(spec) && spec.type !== 'ExternalName') errs.push(fieldRequired('spec.ports'));
  if ((spec.type === 'LoadBalancer' || spec.type === 'NodePort') && isHeadless(spec)) {
    errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
  }
  if (spec.type === 'ExternalName') {
    if (clusterIPsOf(spec).length > 0) errs.push(fieldForbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (arr(spec.ipFamilies).length > 0) errs.push(fieldForbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (isSet(spec.ipFamilyPolicy)) errs.push(fieldForbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = str(spec.externalName).replace(/\.$/, '');
    errs.push(...(cname ? validateDNS1123Subdomain(cname, 'spec.externalName') : [fieldRequired('spec.externalName')]));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, index('spec.ports', i))));
  if (spec.selector) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) errs.push(fieldRequired('spec.sessionAffinity'));
  else if (!AFFINITIES.includes(spec.sessionAffinity)) errs.push(fieldNotSupported('spec.sessionAffinity', spec.sessionAffinity, AFFINITIES));
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = obj(obj(spec.sessionAffinityConfig).clientIP).timeoutSeconds;
    if (!isSet(timeout)) errs.push(fieldRequired('spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'when session affinity type is ClientIP'));
    else if (timeout <= 0 || timeout > MAX_CLIENT_IP_AFFINITY_SECONDS) {
      errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`));
    }
  } else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(fieldForbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPsRelated(spec));
  arr<string>(spec.externalIPs).forEach((ip, i) => {
    if (!isIP(str(ip))) errs.push(invalid(index('spec.externalIPs', i), ip, INVALID_IP));
  });
  if (!spec.type) errs.push(fieldRequired('spec.type'));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(fieldNotSupported('spec.type', spec.type, SERVICE_TYPES));
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    if (spec.type === 'ClusterIP' && p.nodePort) errs.push(fieldForbidden(child(index('spec.ports', i), 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
    if (p.nodePort) {
      const k = `${str(p.protocol)}/${p.nodePort}`;
      if (nodePorts.has(k)) errs.push(fieldDuplicate(child(index('spec.ports', i), 'nodePort'), p.nodePort));
      nodePorts.add(k);
    }
    const k = `${str(p.protocol)}/${p.port}`;
    if (portKeys.has(k)) errs.push(duplicateRendered(index('spec.ports', i), servicePortKey(p)));
    portKeys.add(k);
  });
  if (isSet(spec.allocateLoadBalancerNodePorts) && spec.type !== 'LoadBalancer') {
    errs.push(fieldForbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.type === 'LoadBalancer' && !isSet(spec.allocateLoadBalancerNodePorts)) errs.push(fieldRequired('allocateLoadBalancerNodePorts'));
  return [...errs, ...validateTrafficPolicies(spec)];
}

/**
 * ValidateServiceUpdate. A client that omits the allocated clusterIP(s) keeps the old ones, as the
 * strategy's patchAllocatedValues does before validating.
 */
export function validateServiceUpdate(svc: Loose<Service>, old: Loose<Service>): Errors {
  const spec = obj(svc.spec);
  const oldSpec = obj(old.spec);
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata, true);
  if (spec.type !== 'ExternalName' && oldSpec.type !== 'ExternalName' && !(isHeadless(spec) && isHeadless(oldSpec))) {
    const next = clusterIPsOf(spec).length > 0 ? clusterIPsOf(spec) : clusterIPsOf(oldSpec);
    const prev = clusterIPsOf(oldSpec);
    if (prev.length > 0 && next.length === 0) errs.push(invalid('spec.clusterIPs[0]', next, 'primary clusterIP can not be unset'));
    else if (prev.length > 0 && next[0] !== prev[0]) errs.push(invalid('spec.clusterIPs[0]', next, 'may not change once set'));
    else if (prev.length === next.length) prev.forEach((ip, i) => i > 0 && ip !== next[i] && errs.push(invalid(index('spec.clusterIPs', i), next, 'may not change once set')));
  }
  const patched = clusterIPsOf(spec).length > 0 ? svc : { ...svc, spec: { ...spec, clusterIP: oldSpec.clusterIP, clusterIPs: oldSpec.clusterIPs } };
  return [...errs, ...validateService(patched)];
}

function validateEndpointPort(port: Loose<EndpointPort>, requireName: boolean, path: string): Errors {
  const errs: Errors = [];
  const name = str(port.name);
  if (requireName && !name) errs.push(fieldRequired(child(path, 'name')));
  else if (name) errs.push(...validateDNS1123Label(name, child(path, 'name')));
  errs.push(...each(child(path, 'port'), port.port ?? 0, isValidPortNum(Number(port.port ?? 0))));
  if (!port.protocol) errs.push(fieldRequired(child(path, 'protocol')));
  else if (!PROTOCOLS.includes(port.protocol)) errs.push(fieldNotSupported(child(path, 'protocol'), port.protocol, PROTOCOLS));
  if (isSet(port.appProtocol)) errs.push(...validateQualifiedName(str(port.appProtocol), child(path, 'appProtocol')));
  return errs;
}

function validateEndpointAddress(address: Loose<EndpointAddress>, path: string): Errors {
  const errs: Errors = isIP(str(address.ip)) ? [] : [invalid(child(path, 'ip'), str(address.ip), INVALID_IP)];
  if (address.hostname) errs.push(...validateDNS1123Label(str(address.hostname), child(path, 'hostname')));
  if (isSet(address.nodeName)) errs.push(...validateName(nameIsDNSSubdomain, str(address.nodeName), child(path, 'nodeName')));
  if (/^127\./.test(str(address.ip)) || address.ip === '::1') errs.push(invalid(child(path, 'ip'), address.ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  return errs;
}

export function validateEndpoints(ep: Loose<Endpoints>): Errors {
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
  arr(ep.subsets).forEach((ss, i) => {
    const p = index('subsets', i);
    if (arr(ss.addresses).length === 0 && arr(ss.notReadyAddresses).length === 0) errs.push(fieldRequired(p, 'must specify `addresses` or `notReadyAddresses`'));
    arr(ss.addresses).forEach((a, j) => errs.push(...validateEndpointAddress(a, index(child(p, 'addresses'), j))));
    arr(ss.notReadyAddresses).forEach((a, j) => errs.push(...validateEndpointAddress(a, index(child(p, 'notReadyAddresses'), j))));
    const ports = arr(ss.ports);
    ports.forEach((port, j) => errs.push(...validateEndpointPort(port, ports.length > 1, index(child(p, 'ports'), j))));
  });
  return errs;
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export function validateEndpointSlice(slice: Loose<EndpointSlice>): Errors {
  const errs = validateObjectMeta(slice.metadata, true, nameIsDNSSubdomain);
  const addressType = slice.addressType;
  if (!addressType) errs.push(fieldRequired('addressType'));
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(fieldNotSupported('addressType', addressType, ADDRESS_TYPES));
  const endpoints = arr(slice.endpoints);
  if (endpoints.length > 1000) return [...errs, tooMany('endpoints', endpoints.length, 1000)];
  endpoints.forEach((ep, i) => {
    const p = index('endpoints', i);
    const addresses = arr<string>(ep.addresses);
    if (addresses.length === 0) errs.push(fieldRequired(child(p, 'addresses'), 'must contain at least 1 address'));
    else if (addresses.length > 100) errs.push(tooMany(child(p, 'addresses'), addresses.length, 100));
    addresses.forEach((a, j) => {
      const ap = index(child(p, 'addresses'), j);
      if (addressType === 'IPv4' && !isIPv4(a)) errs.push(invalid(ap, a, 'must be a valid IPv4 address'));
      if (addressType === 'IPv6' && !isIPv6(a)) errs.push(invalid(ap, a, 'must be a valid IPv6 address'));
      if (addressType === 'FQDN') errs.push(...validateDNS1123Subdomain(str(a).replace(/\.$/, ''), ap));
    });
    if (isSet(ep.nodeName)) errs.push(...validateName(nameIsDNSSubdomain, str(ep.nodeName), child(p, 'nodeName')));
    if (isSet(ep.hostname)) errs.push(...validateDNS1123Label(str(ep.hostname), child(p, 'hostname')));
  });
  const names = new Set<string>();
  arr(slice.ports).forEach((port, i) => {
    const p = index('ports', i);
    const name = str(port.name);
    if (name) errs.push(...validateDNS1123Label(name, child(p, 'name')));
    if (names.has(name)) errs.push(fieldDuplicate(child(p, 'name'), name));
    names.add(name);
    if (!isSet(port.protocol)) errs.push(fieldRequired(child(p, 'protocol')));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(fieldNotSupported(child(p, 'protocol'), port.protocol, PROTOCOLS));
    if (isSet(port.appProtocol)) errs.push(...validateQualifiedName(str(port.appProtocol), child(p, 'appProtocol')));
  });
  return errs;
}

export function validateEndpointSliceUpdate(slice: Loose<EndpointSlice>, old: Loose<EndpointSlice>): Errors {
  const errs = [...validateObjectMetaUpdate(slice.metadata, old.metadata, true), ...validateEndpointSlice(slice)];
  if (slice.addressType !== old.addressType) errs.push(invalid('addressType', slice.addressType ?? '', 'field is immutable'));
  return errs;
}

