// The service proxy's nftables ruleset, built the way kube-proxy's nftables mode builds it
// (pkg/proxy/nftables/proxier.go): a verdict map `service-ips` (address . protocol . port) and a map
// `service-nodeports` jump to one chain per service port, which picks an endpoint chain with
// `numgen random`; each endpoint chain marks hairpin traffic for masquerade and DNATs. Service ports
// without endpoints are rejected from the `no-endpoint-*` maps in filter chains that run before NAT.
// Pure: the text is loaded with `nft -f -` by the Proxier.

import { createHash } from 'node:crypto';
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** kube-proxy's masquerade bit (`--masquerade-bit=14`). */
export const MASQUERADE_MARK = '0x4000';

export interface RulesetOptions {
  /** IPv4 addresses assigned to this machine. A ClusterIP among them is served locally (k8ts's DNS) and skipped. */
  localAddresses: ReadonlySet<string>;
  /** Where endpoints may live besides local addresses; others are left out so nothing is routed off the machine. */
  podCIDRs: readonly string[];
  /** nft interface pattern of the pod bridges (`k8ts-br*`): where pod traffic comes from and masquerade may go. */
  podInterfaces: string;
  /** What the table held after the last successful load; absent, the table is recreated from scratch. */
  previous?: LoadedObjects;
}

/** The chains (with their rules) and sets a ruleset created: the next one skips unchanged chains and deletes stale ones. */
export interface LoadedObjects {
  chains: ReadonlyMap<string, string>;
  sets: ReadonlySet<string>;
}

export interface ProxyEndpoint {
  ip: string;
  port: number;
  chain: string;
  /** The per-endpoint ClientIP affinity set, when the Service has sessionAffinity ClientIP. */
  affinitySet?: string;
}

export interface ProxyServicePort {
  /** `namespace/name:port` (kube-proxy's ServicePortName). */
  name: string;
  chain: string;
  proto: 'tcp' | 'udp' | 'sctp';
  port: number;
  /** ClusterIP (unless local), load-balancer ingress IPs and externalIPs. */
  addresses: string[];
  nodePort?: number;
  endpoints: ProxyEndpoint[];
  affinityTimeout?: number;
}

const BASE_CHAINS: Array<[string, string]> = [
  ['filter-prerouting', 'type filter hook prerouting priority -110; policy accept;'],
  ['filter-output', 'type filter hook output priority -110; policy accept;'],
  ['nat-prerouting', 'type nat hook prerouting priority -100; policy accept;'],
  // nft 1.0.6 rejects `priority dstnat` for the output hook.
  ['nat-output', 'type nat hook output priority -100; policy accept;'],
  ['nat-postrouting', 'type nat hook postrouting priority 100; policy accept;'],
];
const FIXED_CHAINS = ['services', 'endpoints-check', 'mark-for-masquerade', 'masquerading', 'reject-chain'];
const MAPS: Array<[string, string]> = [
  ['service-ips', 'ipv4_addr . inet_proto . inet_service : verdict'],
  ['service-nodeports', 'inet_proto . inet_service : verdict'],
  ['no-endpoint-services', 'ipv4_addr . inet_proto . inet_service : verdict'],
  ['no-endpoint-nodeports', 'inet_proto . inet_service : verdict'],
];

/** The complete ruleset for `table ip <table>`. */
export function buildRuleset(table: string, services: readonly Service[], slices: readonly EndpointSlice[], opts: RulesetOptions): string {
  return renderRuleset(table, servicePorts(services, slices, opts), opts).text;
}

/** kube-proxy's chain hash: base32 of sha256, first 8 characters. */
function hash(s: string): string {
  const d = createHash('sha256').update(s).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  for (let i = 0; out.length < 8; i++) out += alphabet[d[i] & 31];
  return out;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

function inCIDR(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(base) / size);
}

const isIPv4 = (s: string | undefined): s is string => !!s && /^\d{1,3}(\.\d{1,3}){3}$/.test(s);

function protoOf(p: string | undefined): ProxyServicePort['proto'] | undefined {
  const proto = (p ?? 'TCP').toLowerCase();
  return proto === 'tcp' || proto === 'udp' || proto === 'sctp' ? proto : undefined;
}

/**
 * The endpoints kube-proxy uses for a service port: the ready ones (a missing `ready` counts as ready),
 * or when none is ready the serving and terminating ones; first address of each, deduplicated.
 */
export function usableEndpoints(slices: readonly EndpointSlice[], port: ServicePort, allowed: (ip: string) => boolean): Array<{ ip: string; port: number }> {
  const ready = new Map<string, { ip: string; port: number }>();
  const terminating = new Map<string, { ip: string; port: number }>();
  const name = port.name ?? '';
  const proto = port.protocol ?? 'TCP';
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const sp = slice.ports?.find((p) => (p.name ?? '') === name && (p.protocol ?? 'TCP') === proto);
    if (sp?.port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!isIPv4(ip) || !allowed(ip)) continue;
      const c = ep.conditions ?? {};
      const entry = { ip, port: sp.port };
      const key = `${ip}:${sp.port}`;
      if (c.ready !== false) ready.set(key, entry);
      else if (c.serving !== false && c.terminating === true) terminating.set(key, entry);
    }
  }
  return [...(ready.size ? ready : terminating).values()].sort((a, b) => ipToInt(a.ip) - ipToInt(b.ip) || a.port - b.port);
}

/** What the proxy does for each port of each Service, in a stable order. */
export function servicePorts(services: readonly Service[], slices: readonly EndpointSlice[], opts: RulesetOptions): ProxyServicePort[] {
  const slicesBySvc = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const key = `${s.metadata?.namespace ?? ''}/${svc}`;
    slicesBySvc.set(key, [...(slicesBySvc.get(key) ?? []), s]);
  }
  const allowed = (ip: string): boolean => opts.localAddresses.has(ip) || opts.podCIDRs.some((c) => inCIDR(ip, c));
  const sorted = [...services].sort((a, b) => key(a).localeCompare(key(b)));
  const out: ProxyServicePort[] = [];
  for (const svc of sorted) {
    const spec = svc.spec ?? {};
    const type = spec.type ?? 'ClusterIP';
    if (type === 'ExternalName' || !isIPv4(spec.clusterIP)) continue;
    const extra = [...(spec.externalIPs ?? []), ...(type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip) : [])];
    const addresses = [...new Set([...(opts.localAddresses.has(spec.clusterIP) ? [] : [spec.clusterIP]), ...extra.filter(isIPv4)])];
    const affinityTimeout = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined;
    for (const port of spec.ports ?? []) {
      const proto = protoOf(port.protocol);
      if (!proto) continue;
      const nodePort = type !== 'ClusterIP' && port.nodePort ? port.nodePort : undefined;
      if (!addresses.length && !nodePort) continue;
      const base = `${key(svc)}/${proto}/${port.name || port.port}`;
      const chainId = `${hash(base)}-${base}`;
      const endpoints = usableEndpoints(slicesBySvc.get(key(svc)) ?? [], port, allowed).map((e) => {
        const epId = `${chainId}__${e.ip}/${e.port}`;
        const affinitySet = affinityTimeout === undefined ? undefined : `affinity-${hash(`${base}__${e.ip}/${e.port}/${affinityTimeout}`)}-${base}__${e.ip}/${e.port}`;
        return { ...e, chain: `endpoint-${epId}`, ...(affinitySet ? { affinitySet } : {}) };
      });
      out.push({ name: `${key(svc)}:${port.name ?? ''}`, chain: `service-${chainId}`, proto, port: port.port, addresses, ...(nodePort ? { nodePort } : {}), endpoints, ...(affinityTimeout !== undefined ? { affinityTimeout } : {}) });
    }
  }
  return out;
}

function key(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/**
 * The nft script for the service ports. With `previous` it updates in place (flushing chains and maps,
 * keeping the affinity sets' entries, deleting what is no longer used); without, it recreates the table.
 */
export function renderRuleset(table: string, ports: readonly ProxyServicePort[], opts: Pick<RulesetOptions, 'podInterfaces' | 'previous'>): { text: string; loaded: LoadedObjects } {
  const t = `ip ${table}`;
  const lines: string[] = [`add table ${t}`];
  if (!opts.previous) lines.push(`delete table ${t}`, `add table ${t}`);
  for (const [name, type] of MAPS) lines.push(`add map ${t} ${name} { type ${type}; }`, `flush map ${t} ${name}`);

  const chains = new Map<string, string[]>([...BASE_CHAINS.map(([c]) => c), ...FIXED_CHAINS].map((c) => [c, []]));
  const sets = new Map<string, number>();
  const elements = new Map<string, Map<string, string>>(MAPS.map(([m]) => [m, new Map()]));
  const addElement = (map: string, k: string, v: string): void => {
    // Two Services claiming one address and port: the first (by namespace/name) keeps it.
    if (!elements.get(map)!.has(k)) elements.get(map)!.set(k, v);
  };
  const rule = (chain: string, body: string): void => {
    const list = chains.get(chain);
    if (list) list.push(body);
    else chains.set(chain, [body]);
  };

  const pods = `"${opts.podInterfaces}"`;
  rule('filter-prerouting', `iifname ${pods} ct state new jump endpoints-check`);
  rule('filter-output', 'ct state new jump endpoints-check');
  rule('endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  rule('endpoints-check', 'fib daddr type local meta l4proto . th dport vmap @no-endpoint-nodeports');
  rule('nat-prerouting', `iifname ${pods} jump services`);
  rule('nat-output', 'jump services');
  rule('nat-postrouting', 'jump masquerading');
  rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  rule('services', 'fib daddr type local meta l4proto . th dport vmap @service-nodeports');
  rule('mark-for-masquerade', `meta mark set mark | ${MASQUERADE_MARK}`);
  rule('masquerading', `meta mark & ${MASQUERADE_MARK} == 0 return`);
  rule('masquerading', `meta mark set mark xor ${MASQUERADE_MARK}`);
  // Only towards the pod bridges: the proxy never translates traffic that leaves the machine.
  rule('masquerading', `oifname ${pods} masquerade fully-random`);
  rule('reject-chain', 'reject');

  for (const sp of ports) {
    if (!sp.endpoints.length) {
      for (const a of sp.addresses) addElement('no-endpoint-services', `${a} . ${sp.proto} . ${sp.port}`, 'goto reject-chain');
      if (sp.nodePort) addElement('no-endpoint-nodeports', `${sp.proto} . ${sp.nodePort}`, 'goto reject-chain');
      continue;
    }
    for (const a of sp.addresses) addElement('service-ips', `${a} . ${sp.proto} . ${sp.port}`, `goto ${sp.chain}`);
    if (sp.nodePort) addElement('service-nodeports', `${sp.proto} . ${sp.nodePort}`, `goto ${sp.chain}`);
    // Traffic from the host itself (its source is a local address) must come back through the host.
    rule(sp.chain, 'fib saddr type local jump mark-for-masquerade');
    for (const ep of sp.endpoints) if (ep.affinitySet) rule(sp.chain, `ip saddr @${ep.affinitySet} goto ${ep.chain}`);
    const vmap = sp.endpoints.map((ep, i) => `${i} : goto ${ep.chain}`).join(', ');
    rule(sp.chain, `numgen random mod ${sp.endpoints.length} vmap { ${vmap} }`);
    for (const ep of sp.endpoints) {
      // Hairpin: a pod reaching itself through the service must see the reply come from the host.
      rule(ep.chain, `ip saddr ${ep.ip} jump mark-for-masquerade`);
      if (ep.affinitySet) {
        sets.set(ep.affinitySet, sp.affinityTimeout!);
        rule(ep.chain, `update @${ep.affinitySet} { ip saddr }`);
      }
      rule(ep.chain, `meta l4proto ${sp.proto} dnat to ${ep.ip}:${ep.port}`);
    }
  }

  const base = new Map(BASE_CHAINS);
  const loaded = new Map<string, string>();
  const body: string[] = [];
  for (const [c, list] of chains) {
    const text = list.join('\n');
    loaded.set(c, text);
    if (opts.previous?.chains.get(c) === text) continue;
    lines.push(base.has(c) ? `add chain ${t} ${c} { ${base.get(c)} }` : `add chain ${t} ${c}`, `flush chain ${t} ${c}`);
    for (const r of list) body.push(`add rule ${t} ${c} ${r}`);
  }
  for (const [s, timeout] of sets) if (!opts.previous?.sets.has(s)) lines.push(`add set ${t} ${s} { type ipv4_addr; flags dynamic,timeout; timeout ${timeout}s; }`);
  lines.push(...body);
  for (const [map, els] of elements) {
    if (els.size) lines.push(`add element ${t} ${map} { ${[...els].map(([k, v]) => `${k} : ${v}`).join(', ')} }`);
  }
  for (const c of opts.previous?.chains.keys() ?? []) if (!chains.has(c)) lines.push(`delete chain ${t} ${c}`);
  for (const s of opts.previous?.sets ?? []) if (!sets.has(s)) lines.push(`delete set ${t} ${s}`);
  return { text: lines.join('\n') + '\n', loaded: { chains: loaded, sets: new Set(sets.keys()) } };
}
