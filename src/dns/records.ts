// Answers one DNS question from a read-only view of the cluster, following the Kubernetes DNS
// specification (schema 1.1.0) with CoreDNS `kubernetes` plugin choices where the spec is silent:
// dashed-IP names for endpoints without a hostname, NODATA for a headless Service without ready
// endpoints, SOA `ns.dns.<zone> hostmaster.<zone>` in negative answers.

import { isIPv6 } from 'node:net';
import type { Answer, Question, RecordType } from 'dns-packet';
import { canonicalName, cidrContains, dashedIP, inZone, parseZoneName, reverseToIP, REVERSE_ZONE, undashIP, type Cidr } from './names.js';

export const SCHEMA_VERSION = '1.1.0';

export interface DnsPort {
  name: string;
  port: number;
  protocol: string;
}

export interface DnsService {
  namespace: string;
  name: string;
  kind: 'ClusterIP' | 'Headless' | 'ExternalName';
  clusterIPs: readonly string[];
  externalName?: string;
  ports: readonly DnsPort[];
  publishNotReadyAddresses: boolean;
}

/** One address of an EndpointSlice endpoint, with the ports of its slice. */
export interface DnsEndpoint {
  ip: string;
  hostname?: string;
  ready: boolean;
  ports: readonly DnsPort[];
}

/** An endpoint address that has a hostname, for PTR. */
export interface ReverseEntry {
  namespace: string;
  service: string;
  hostname: string;
}

/** What the resolver may ask of the cluster; every call is O(1) or O(endpoints of one Service). */
export interface ClusterView {
  service(namespace: string, name: string): DnsService | undefined;
  endpoints(namespace: string, service: string): Iterable<DnsEndpoint>;
  namespaceExists(namespace: string): boolean;
  podHasIP(namespace: string, ip: string): boolean;
  servicesWithClusterIP(ip: string): Iterable<DnsService>;
  endpointsWithIP(ip: string): Iterable<ReverseEntry>;
  /** SOA serial: changes whenever the view does. */
  serial(): number;
}

export interface ResolveConfig {
  zone: string;
  ttl: number;
  /** Reverse names inside these ranges are ours (NXDOMAIN when unknown); others are REFUSED. */
  reverseCIDRs: readonly Cidr[];
  /** CoreDNS `pods verified` (a pod in the namespace has the IP) or `pods insecure` (any IP). */
  pods: 'verified' | 'insecure';
}

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED';

export interface Resolution {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** What the server answers for `q`: the rcode and the three record sections. */
export function resolve(view: ClusterView, q: Question, cfg: ResolveConfig): Resolution {
  const name = canonicalName(q.name);
  if (q.class && q.class !== 'IN' && q.class !== 'ANY') return refused();
  if (inZone(name, cfg.zone)) return resolveZone(view, q, name, cfg);
  if (inZone(name, REVERSE_ZONE)) return resolveReverse(view, q, name, cfg);
  return refused();
}

class Builder {
  readonly answers: Answer[] = [];
  readonly additionals: Answer[] = [];
  constructor(
    readonly q: Question,
    readonly cfg: ResolveConfig,
  ) {}

  wants(t: RecordType): boolean {
    return this.q.type === t || (this.q.type as string) === 'ANY';
  }

  address(name: string, ip: string, section: Answer[] = this.answers): void {
    section.push({ type: isIPv6(ip) ? 'AAAA' : 'A', name, ttl: this.cfg.ttl, data: ip });
  }

  wantsAddress(ip: string): boolean {
    return this.wants(isIPv6(ip) ? 'AAAA' : 'A');
  }
}

function resolveZone(view: ClusterView, q: Question, name: string, cfg: ResolveConfig): Resolution {
  const b = new Builder(q, cfg);
  const zn = parseZoneName(name, cfg.zone);
  const owner = q.name.endsWith('.') ? q.name.slice(0, -1) : q.name;
  let exists = true;
  switch (zn.kind) {
    case 'apex':
      if (b.wants('SOA')) b.answers.push(soa(cfg.zone, cfg, view.serial()));
      break;
    case 'version':
      if (b.wants('TXT')) b.answers.push({ type: 'TXT', name: owner, ttl: cfg.ttl, data: SCHEMA_VERSION });
      break;
    case 'svcRoot':
    case 'podRoot':
      break;
    case 'namespace':
    case 'podNamespace':
      exists = view.namespaceExists(zn.namespace);
      break;
    case 'service':
      exists = serviceRecords(view, b, owner, zn.namespace, zn.service);
      break;
    case 'endpoint':
      exists = endpointRecords(view, b, owner, zn.namespace, zn.service, zn.endpoint);
      break;
    case 'protoRoot': {
      const svc = view.service(zn.namespace, zn.service);
      exists = !!svc && svc.ports.some((p) => p.name !== '' && p.protocol.toLowerCase() === zn.protocol);
      break;
    }
    case 'srv':
      exists = srvRecords(view, b, owner, zn.namespace, zn.service, zn.port, zn.protocol);
      break;
    case 'pod':
      exists = podRecords(view, b, owner, zn.namespace, zn.dashedIP);
      break;
    case 'none':
      exists = false;
  }
  return finish(b, exists, cfg.zone, view);
}

/** A/AAAA of a ClusterIP Service, one per ready endpoint of a headless one, CNAME of an ExternalName. */
function serviceRecords(view: ClusterView, b: Builder, owner: string, ns: string, name: string): boolean {
  const svc = view.service(ns, name);
  if (!svc) return false;
  if (svc.kind === 'ExternalName') {
    if (svc.externalName) b.answers.push({ type: 'CNAME', name: owner, ttl: b.cfg.ttl, data: canonicalName(svc.externalName) });
    return true;
  }
  if (svc.kind === 'ClusterIP') {
    for (const ip of svc.clusterIPs) if (b.wantsAddress(ip)) b.address(owner, ip);
    return true;
  }
  const seen = new Set<string>();
  for (const ep of view.endpoints(ns, name)) {
    if (!published(svc, ep) || seen.has(ep.ip)) continue;
    seen.add(ep.ip);
    if (b.wantsAddress(ep.ip)) b.address(owner, ep.ip);
  }
  return true;
}

/** `<hostname>.<svc>...` or `<dashed-ip>.<svc>...` of a headless Service: that endpoint's address. */
function endpointRecords(view: ClusterView, b: Builder, owner: string, ns: string, name: string, label: string): boolean {
  const svc = view.service(ns, name);
  if (!svc || svc.kind !== 'Headless') return false;
  const ip = undashIP(label);
  let found = false;
  for (const ep of view.endpoints(ns, name)) {
    if (!published(svc, ep) || (ep.hostname !== label && ep.ip !== ip)) continue;
    found = true;
    if (b.wantsAddress(ep.ip)) b.address(owner, ep.ip);
  }
  return found;
}

/** SRV per named port: the Service name as target, or for headless one target per ready endpoint. */
function srvRecords(view: ClusterView, b: Builder, owner: string, ns: string, name: string, port: string, proto: string): boolean {
  const svc = view.service(ns, name);
  if (!svc || svc.kind === 'ExternalName') return false;
  const matches = (p: DnsPort) => p.name !== '' && p.name === port && p.protocol.toLowerCase() === proto;
  if (!svc.ports.some(matches)) return false;
  if (!b.wants('SRV')) return true;
  const svcName = `${name}.${ns}.svc.${b.cfg.zone}`;
  if (svc.kind === 'ClusterIP') {
    const sp = svc.ports.find(matches)!;
    b.answers.push(srv(owner, svcName, sp.port, 100, b.cfg.ttl));
    for (const ip of svc.clusterIPs) b.address(svcName, ip, b.additionals);
    return true;
  }
  const targets: Array<{ target: string; port: number; ip: string }> = [];
  for (const ep of view.endpoints(ns, name)) {
    if (!published(svc, ep)) continue;
    const epPort = ep.ports.find(matches);
    if (epPort) targets.push({ target: `${ep.hostname ?? dashedIP(ep.ip)}.${svcName}`, port: epPort.port, ip: ep.ip });
  }
  // CoreDNS splits a weight of 100 across the targets of one name.
  const weight = targets.length ? Math.max(1, Math.floor(100 / targets.length)) : 0;
  for (const t of targets) {
    b.answers.push(srv(owner, t.target, t.port, weight, b.cfg.ttl));
    b.address(t.target, t.ip, b.additionals);
  }
  return true;
}

function podRecords(view: ClusterView, b: Builder, owner: string, ns: string, label: string): boolean {
  const ip = undashIP(label);
  if (!ip || !view.namespaceExists(ns)) return false;
  if (b.cfg.pods === 'verified' && !view.podHasIP(ns, ip)) return false;
  if (b.wantsAddress(ip)) b.address(owner, ip);
  return true;
}

function resolveReverse(view: ClusterView, q: Question, name: string, cfg: ResolveConfig): Resolution {
  const ip = reverseToIP(name);
  if (!ip) return refused();
  const b = new Builder(q, cfg);
  const owner = q.name.endsWith('.') ? q.name.slice(0, -1) : q.name;
  const targets = new Set<string>();
  for (const svc of view.servicesWithClusterIP(ip)) targets.add(`${svc.name}.${svc.namespace}.svc.${cfg.zone}`);
  for (const e of view.endpointsWithIP(ip)) {
    const svc = view.service(e.namespace, e.service);
    if (!svc || svc.kind !== 'Headless') continue;
    for (const ep of view.endpoints(e.namespace, e.service)) {
      if (ep.ip === ip && ep.hostname === e.hostname && published(svc, ep)) targets.add(`${e.hostname}.${e.service}.${e.namespace}.svc.${cfg.zone}`);
    }
  }
  if (!targets.size && !cfg.reverseCIDRs.some((c) => cidrContains(c, ip))) return refused();
  if (b.wants('PTR')) for (const t of targets) b.answers.push({ type: 'PTR', name: owner, ttl: cfg.ttl, data: t });
  return finish(b, targets.size > 0, REVERSE_ZONE, view);
}

/** An endpoint is in DNS when ready (nil counts as ready, as in CoreDNS) or the Service publishes not-ready ones. */
function published(svc: DnsService, ep: DnsEndpoint): boolean {
  return ep.ready || svc.publishNotReadyAddresses;
}

function finish(b: Builder, exists: boolean, soaZone: string, view: ClusterView): Resolution {
  const negative = !exists || b.answers.length === 0;
  return {
    rcode: exists ? 'NOERROR' : 'NXDOMAIN',
    answers: b.answers,
    authorities: negative ? [soa(soaZone, b.cfg, view.serial())] : [],
    additionals: negative ? [] : b.additionals,
  };
}

function refused(): Resolution {
  return { rcode: 'REFUSED', answers: [], authorities: [], additionals: [] };
}

function srv(name: string, target: string, port: number, weight: number, ttl: number): Answer {
  return { type: 'SRV', name, ttl, data: { priority: 0, weight, port, target } };
}

/** The zone SOA; its minimum (the negative-caching TTL) is the record TTL. */
export function soa(zone: string, cfg: ResolveConfig, serial: number): Answer {
  return {
    type: 'SOA',
    name: zone,
    ttl: cfg.ttl,
    data: { mname: `ns.dns.${cfg.zone}`, rname: `hostmaster.${cfg.zone}`, serial, refresh: 7200, retry: 1800, expire: 86400, minimum: cfg.ttl },
  };
}
