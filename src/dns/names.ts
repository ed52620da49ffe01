// How a query name maps onto the Kubernetes DNS schema (kubernetes/dns docs/specification.md):
// which part of the cluster zone it addresses, or which address an in-addr.arpa name reverses.

import { isIPv4, isIPv6 } from 'node:net';

/** The shapes of names inside the cluster zone; `labels` are what precedes `svc`/`pod`. */
export type ZoneName =
  | { kind: 'apex' }
  | { kind: 'version' }
  | { kind: 'svcRoot' }
  | { kind: 'podRoot' }
  | { kind: 'namespace'; namespace: string }
  | { kind: 'service'; namespace: string; service: string }
  | { kind: 'endpoint'; namespace: string; service: string; endpoint: string }
  | { kind: 'protoRoot'; namespace: string; service: string; protocol: string }
  | { kind: 'srv'; namespace: string; service: string; port: string; protocol: string }
  | { kind: 'podNamespace'; namespace: string }
  | { kind: 'pod'; namespace: string; dashedIP: string }
  | { kind: 'none' };

/** A query name in canonical form: lower case, no trailing dot. */
export function canonicalName(name: string): string {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  return n.toLowerCase();
}

/** True when `name` (canonical) is `zone` or inside it. */
export function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith('.' + zone);
}

/** Classify a canonical name already known to be inside `zone`. */
export function parseZoneName(name: string, zone: string): ZoneName {
  if (name === zone) return { kind: 'apex' };
  const labels = name.slice(0, name.length - zone.length - 1).split('.');
  const last = labels[labels.length - 1];
  if (labels.length === 1) {
    if (last === 'dns-version') return { kind: 'version' };
    if (last === 'svc') return { kind: 'svcRoot' };
    if (last === 'pod') return { kind: 'podRoot' };
    return { kind: 'none' };
  }
  const namespace = labels[labels.length - 2];
  if (last === 'pod') {
    if (labels.length === 2) return { kind: 'podNamespace', namespace };
    if (labels.length === 3) return { kind: 'pod', namespace, dashedIP: labels[0] };
    return { kind: 'none' };
  }
  if (last !== 'svc') return { kind: 'none' };
  if (labels.length === 2) return { kind: 'namespace', namespace };
  const service = labels[labels.length - 3];
  if (labels.length === 3) return { kind: 'service', namespace, service };
  const first = labels[0];
  if (labels.length === 4) {
    if (first.startsWith('_') && first.length > 1) return { kind: 'protoRoot', namespace, service, protocol: first.slice(1) };
    return { kind: 'endpoint', namespace, service, endpoint: first };
  }
  if (labels.length === 5 && first.startsWith('_') && labels[1].startsWith('_')) {
    return { kind: 'srv', namespace, service, port: first.slice(1), protocol: labels[1].slice(1) };
  }
  return { kind: 'none' };
}

export const REVERSE_ZONE = 'in-addr.arpa';

/** The IPv4 address a full `d.c.b.a.in-addr.arpa` name stands for, else undefined. */
export function reverseToIP(name: string): string | undefined {
  if (!name.endsWith('.' + REVERSE_ZONE)) return undefined;
  const octets = name.slice(0, -REVERSE_ZONE.length - 1).split('.');
  if (octets.length !== 4) return undefined;
  const ip = octets.reverse().join('.');
  return isIPv4(ip) && octets.every((o) => String(Number(o)) === o) ? ip : undefined;
}

/** CoreDNS's name for an address without a hostname: 10.244.1.5 → 10-244-1-5 (IPv6 colons become dashes too). */
export function dashedIP(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** The address a dashed label spells (`10-244-1-5`, or an IPv6 address with dashes), else undefined. */
export function undashIP(label: string): string | undefined {
  const v4 = label.replace(/-/g, '.');
  if (isIPv4(v4)) return v4;
  const v6 = label.replace(/-/g, ':');
  return isIPv6(v6) ? v6 : undefined;
}

/** An IPv4 CIDR as base and mask, for deciding which reverse names are ours. */
export interface Cidr {
  base: number;
  mask: number;
}

export function parseCidr(cidr: string): Cidr {
  const [ip, bits] = cidr.split('/');
  const n = Number(bits);
  if (!isIPv4(ip) || !Number.isInteger(n) || n < 0 || n > 32) throw new Error(`invalid IPv4 CIDR ${cidr}`);
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return { base: (ipv4ToInt(ip) & mask) >>> 0, mask };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  return ((ipv4ToInt(ip) & c.mask) >>> 0) === c.base;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
}
