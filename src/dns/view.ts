// The cluster as DNS sees it, kept by shared informers: Services by name and ClusterIP, EndpointSlices
// by their `kubernetes.io/service-name` label and by hostname-bearing address, Pods by IP. Every lookup
// is an index hit; converted shapes are cached per (frozen, replaced-on-change) object.

import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { REFS } from '../client/client.js';
import type { Informer } from '../client/informer.js';
import type { InformerFactory } from '../client/informerfactory.js';
import type { Obj } from '../client/objects.js';
import type { Clock } from '../machinery/clock.js';
import type { ClusterView, DnsEndpoint, DnsPort, DnsService, ReverseEntry } from './records.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

// Index names are prefixed: the informers are shared and an index name is global to one informer.
const BY_SERVICE = 'dns/service-name';
const BY_HOSTNAME_IP = 'dns/hostname-ip';
const BY_CLUSTER_IP = 'dns/cluster-ip';
const BY_POD_IP = 'dns/pod-ip';

type SliceObj = Obj<EndpointSlice>;
type ServiceObj = Obj<Service>;

export class InformerView implements ClusterView {
  private services: Informer<Service>;
  private slices: Informer<EndpointSlice>;
  private pods: Informer<Pod>;
  private namespaces: Informer<Namespace>;
  private converted = new WeakMap<object, DnsService>();
  private sliceEndpoints = new WeakMap<object, DnsEndpoint[]>();
  private serialSeconds: number;
  private gen = 0;

  constructor(informers: InformerFactory, private clock: Clock) {
    this.serialSeconds = Math.floor(clock.now() / 1000);
    this.services = informers.get(REFS.services);
    this.slices = informers.get(REFS.endpointslices);
    this.pods = informers.get(REFS.pods);
    this.namespaces = informers.get(REFS.namespaces);
    this.services.addIndex(BY_CLUSTER_IP, (s) => clusterIPsOf(s));
    this.slices.addIndex(BY_SERVICE, (s) => {
      const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
      return svc ? [`${s.metadata.namespace}/${svc}`] : [];
    });
    this.slices.addIndex(BY_HOSTNAME_IP, (s) => (s.endpoints ?? []).flatMap((e) => (e.hostname ? e.addresses : [])));
    this.pods.addIndex(BY_POD_IP, (p) => podIPs(p).map((ip) => `${p.metadata.namespace}/${ip}`));
    const changed = { add: () => this.touch(), update: () => this.touch(), delete: () => this.touch() };
    for (const inf of [this.services, this.slices, this.pods, this.namespaces] as Informer[]) inf.addHandler(changed);
  }

  /** Bumped on every change of a watched object, so callers can cache answers per generation. */
  generation(): number {
    return this.gen;
  }

  serial(): number {
    return this.serialSeconds;
  }

  service(namespace: string, name: string): DnsService | undefined {
    const o = this.services.getByName(namespace, name);
    return o && this.convert(o);
  }

  *endpoints(namespace: string, service: string): Iterable<DnsEndpoint> {
    for (const s of this.slices.byIndex(BY_SERVICE, `${namespace}/${service}`)) yield* this.endpointsOf(s);
  }

  namespaceExists(namespace: string): boolean {
    return !!this.namespaces.getByName('', namespace);
  }

  podHasIP(namespace: string, ip: string): boolean {
    return this.pods.byIndex(BY_POD_IP, `${namespace}/${ip}`).length > 0;
  }

  servicesWithClusterIP(ip: string): Iterable<DnsService> {
    return this.services.byIndex(BY_CLUSTER_IP, ip).map((o) => this.convert(o));
  }

  *endpointsWithIP(ip: string): Iterable<ReverseEntry> {
    for (const s of this.slices.byIndex(BY_HOSTNAME_IP, ip)) {
      const service = s.metadata.labels?.[LABEL_SERVICE_NAME];
      if (!service) continue;
      for (const e of s.endpoints ?? []) {
        if (e.hostname && e.addresses.includes(ip)) yield { namespace: s.metadata.namespace ?? '', service, hostname: e.hostname.toLowerCase() };
      }
    }
  }

  private touch(): void {
    this.gen++;
    this.serialSeconds = Math.max(this.serialSeconds, Math.floor(this.clock.now() / 1000));
  }

  private convert(o: ServiceObj): DnsService {
    let d = this.converted.get(o);
    if (!d) {
      d = toDnsService(o);
      this.converted.set(o, d);
    }
    return d;
  }

  private endpointsOf(s: SliceObj): DnsEndpoint[] {
    let eps = this.sliceEndpoints.get(s);
    if (!eps) {
      eps = toDnsEndpoints(s);
      this.sliceEndpoints.set(s, eps);
    }
    return eps;
  }
}

export function toDnsService(o: ServiceObj): DnsService {
  const spec = o.spec ?? {};
  const kind = spec.type === 'ExternalName' ? 'ExternalName' : spec.clusterIP === 'None' ? 'Headless' : 'ClusterIP';
  const ports: DnsPort[] = (spec.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' }));
  return {
    namespace: o.metadata.namespace ?? '',
    name: o.metadata.name,
    kind,
    clusterIPs: kind === 'ClusterIP' ? clusterIPsOf(o) : [],
    externalName: spec.externalName,
    ports,
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
  };
}

/** One DnsEndpoint per address of an IP slice (FQDN slices carry no addresses DNS can serve). */
export function toDnsEndpoints(s: SliceObj): DnsEndpoint[] {
  if (s.addressType === 'FQDN') return [];
  const ports: DnsPort[] = (s.ports ?? []).flatMap((p) => (p.port === undefined ? [] : [{ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' }]));
  const out: DnsEndpoint[] = [];
  for (const e of s.endpoints ?? []) {
    const ready = e.conditions?.ready !== false;
    for (const ip of e.addresses ?? []) out.push(e.hostname ? { ip, hostname: e.hostname.toLowerCase(), ready, ports } : { ip, ready, ports });
  }
  return out;
}

function clusterIPsOf(o: ServiceObj): string[] {
  const spec = o.spec ?? {};
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}

function podIPs(p: Obj<Pod>): string[] {
  const ips = p.status?.podIPs?.flatMap((x) => x.ip ?? []) ?? [];
  return ips.length ? ips : p.status?.podIP ? [p.status.podIP] : [];
}
