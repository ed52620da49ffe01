// The pod's resolv.conf (pkg/kubelet/network/dns Configurer.GetPodDNS), written in containerd's
// order: search, nameservers, options.

import type { Pod, PodDNSConfig } from 'kubernetes-types/core/v1.js';

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export interface DNSEvent {
  type: 'Warning';
  reason: string;
  message: string;
}

export interface PodDNSInput {
  /** kubelet --cluster-dns */
  clusterDNS: readonly string[];
  /** kubelet --cluster-domain, e.g. cluster.local */
  clusterDomain: string;
  /** contents of the kubelet's --resolv-conf file; undefined when the flag is empty */
  hostResolvConf?: string;
  /** node IPs, used only when there is no host resolv.conf (nameserver 127.0.0.1 / ::1) */
  nodeIPs?: readonly string[];
}

// validation.MaxDNSNameservers and the ExpandedDNSConfig limits (GA since 1.28).
export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
const MAX_SEARCH_PATH_LENGTH = 253;

/** parseResolvConf: nameservers accumulate, the last search/options line wins, trailing dots dropped from searches. */
export function parseResolvConf(text: string): ResolvConf & { errors: string[] } {
  const out: ResolvConf & { errors: string[] } = { nameservers: [], searches: [], options: [], errors: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/).filter(Boolean);
    if (fields.length === 0) continue;
    if (fields[0] === 'nameserver') {
      if (fields.length >= 2) out.nameservers.push(fields[1]);
      else out.errors.push('nameserver list is empty ');
    } else if (fields[0] === 'search') {
      out.searches = fields.slice(1).map((s) => (s.endsWith('.') ? s.slice(0, -1) : s));
    } else if (fields[0] === 'options') {
      out.options = fields.slice(1);
    }
  }
  return out;
}

const omitDuplicates = (xs: readonly string[]) => [...new Set(xs)];

/** mergeDNSOptions: by option name, the pod's dnsConfig winning; `name:value` or bare `name`. */
function mergeOptions(existing: readonly string[], extra: PodDNSConfig['options']): string[] {
  const m = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    if (i === -1) m.set(op, '');
    else m.set(op.slice(0, i), op.slice(i + 1));
  }
  for (const op of extra ?? []) m.set(op.name ?? '', op.value ?? '');
  return [...m].map(([k, v]) => (v ? `${k}:${v}` : k));
}

type DNSType = 'cluster' | 'host' | 'none';

function podDNSType(pod: Pod): DNSType {
  switch (pod.spec?.dnsPolicy ?? 'ClusterFirst') {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'Default':
      return 'host';
    default:
      return pod.spec?.hostNetwork ? 'host' : 'cluster';
  }
}

function fitSearches(searches: string[], events: DNSEvent[]): string[] {
  let exceeded = false;
  let s = searches;
  if (s.length > MAX_DNS_SEARCH_PATHS) {
    s = s.slice(0, MAX_DNS_SEARCH_PATHS);
    exceeded = true;
  }
  const kept = s.filter((x) => x.length <= MAX_SEARCH_PATH_LENGTH);
  if (kept.length !== s.length) exceeded = true;
  s = kept;
  let len = s.join(' ').length;
  if (len > MAX_DNS_SEARCH_LIST_CHARS) {
    while (s.length > 0 && len > MAX_DNS_SEARCH_LIST_CHARS) {
      len -= s[s.length - 1].length + 1;
      s = s.slice(0, -1);
    }
    exceeded = true;
  }
  if (exceeded) {
    events.push({
      type: 'Warning',
      reason: 'DNSConfigForming',
      message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${s.join(' ')}`,
    });
  }
  return s;
}

function fitNameservers(servers: string[], events: DNSEvent[]): string[] {
  if (servers.length <= MAX_DNS_NAMESERVERS) return servers;
  const kept = servers.slice(0, MAX_DNS_NAMESERVERS);
  events.push({
    type: 'Warning',
    reason: 'DNSConfigForming',
    message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${kept.join(' ')}`,
  });
  return kept;
}

/** GetPodDNS: the resolver settings for the pod plus the events the kubelet would record on it. */
export function podDNS(pod: Pod, input: PodDNSInput): { config: ResolvConf; events: DNSEvent[] } {
  const events: DNSEvent[] = [];
  const host = input.hostResolvConf === undefined ? { nameservers: [], searches: [], options: [] } : parseResolvConf(input.hostResolvConf);
  let cfg: ResolvConf = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  let type = podDNSType(pod);
  if (type === 'none') cfg = { nameservers: [], searches: [], options: [] };
  if (type === 'cluster') {
    if (input.clusterDNS.length > 0) {
      const d = input.clusterDomain;
      const ns = pod.metadata?.namespace ?? 'default';
      cfg.nameservers = [...input.clusterDNS];
      cfg.searches = d ? omitDuplicates([`${ns}.svc.${d}`, `svc.${d}`, d, ...cfg.searches]) : cfg.searches;
      cfg.options = ['ndots:5'];
    } else {
      events.push({
        type: 'Warning',
        reason: 'MissingClusterDNS',
        message: `pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid ?? ''})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`,
      });
      type = 'host';
    }
  }
  if (type === 'host' && input.hostResolvConf === undefined) {
    const ips = input.nodeIPs ?? [];
    cfg.nameservers = ips.length ? ips.map((ip) => (ip.includes(':') ? '::1' : '127.0.0.1')) : ['127.0.0.1'];
    cfg.searches = ['.'];
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    cfg.nameservers = omitDuplicates([...cfg.nameservers, ...(extra.nameservers ?? [])]);
    cfg.searches = omitDuplicates([...cfg.searches, ...(extra.searches ?? [])]);
    cfg.options = mergeOptions(cfg.options, extra.options);
  }
  cfg.nameservers = fitNameservers(cfg.nameservers, events);
  cfg.searches = fitSearches(cfg.searches, events);
  return { config: cfg, events };
}

/** The file text containerd writes from the DNS config. */
export function formatResolvConf(cfg: ResolvConf): string {
  let out = '';
  if (cfg.searches.length > 0) out += `search ${cfg.searches.join(' ')}\n`;
  for (const ns of cfg.nameservers) out += `nameserver ${ns}\n`;
  if (cfg.options.length > 0) out += `options ${cfg.options.join(' ')}\n`;
  return out;
}
