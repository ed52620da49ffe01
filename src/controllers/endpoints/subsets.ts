// The subsets of a Service's Endpoints object (endpoints_controller.go syncService and
// pkg/api/v1/endpoints RepackSubsets): one address per pod and port, then regrouped so that addresses
// offering the same set of ports share a subset, ready and not-ready kept apart.

import type { ObjectReference, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { isPodReady } from '../controller_utils.js';
import { findPort, isHeadless, podIPFor, podRef, serviceFamily, shouldPodBeInEndpoints, shouldSetHostname } from './pods.js';

interface Address {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

interface Port {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

interface Subset {
  addresses?: Address[];
  notReadyAddresses?: Address[];
  ports?: Port[];
}

function address(svc: Service, pod: Pod): Address | undefined {
  const ip = podIPFor(pod, serviceFamily(svc, pod));
  if (!ip) return undefined;
  const a: Address = { ip };
  if (shouldSetHostname(pod, svc)) a.hostname = pod.spec?.hostname;
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  a.targetRef = podRef(pod);
  return a;
}

function endpointPort(svcPort: ServicePort, port: number): Port {
  const p: Port = { port, protocol: svcPort.protocol ?? 'TCP' };
  if (svcPort.name) p.name = svcPort.name;
  if (svcPort.appProtocol) p.appProtocol = svcPort.appProtocol;
  return p;
}

/** Subsets for the selected pods, before repacking: one per pod and resolvable port. */
function podSubsets(svc: Service, pods: Pod[]): Subset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const ports = svc.spec?.ports ?? [];
  const out: Subset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const addr = address(svc, pod);
    if (!addr) continue;
    const ready = publishNotReady || isPodReady(pod);
    const entry = (p: Port[] | undefined): Subset => (ready ? { addresses: [addr], ports: p } : { notReadyAddresses: [addr], ports: p });
    // A headless Service may have no ports at all.
    if (ports.length === 0) {
      if (isHeadless(svc)) out.push(entry(undefined));
      continue;
    }
    for (const sp of ports) {
      const n = findPort(pod, sp);
      if (n !== undefined) out.push(entry([endpointPort(sp, n)]));
    }
  }
  return out;
}

const addrKey = (a: Address) => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
const portKey = (p: Port) => JSON.stringify([p.name ?? '', p.port, p.protocol, p.appProtocol ?? '']);

/** LessEndpointAddress: by IP text, then by target UID. */
function compareAddress(a: Address, b: Address): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef?.uid ?? '';
  const ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/**
 * RepackSubsets. Upstream orders ports and subsets by an object hash; here ports go by name, port and
 * protocol, and subsets by their first address, which is as stable and readable.
 */
export function repackSubsets(subsets: Subset[]): Subset[] {
  const NO_PORT = '\u0000none';
  const ports = new Map<string, Port | undefined>();
  // port key -> address key -> [address, ready]
  const byPort = new Map<string, Map<string, [Address, boolean]>>();
  const note = (pk: string, a: Address, ready: boolean) => {
    let m = byPort.get(pk);
    if (!m) byPort.set(pk, (m = new Map()));
    const k = addrKey(a);
    const prior = m.get(k);
    if (!prior) m.set(k, [a, ready]);
    else if (ready) prior[1] = true;
  };
  for (const ss of subsets) {
    const list: Array<Port | undefined> = ss.ports?.length ? ss.ports : [undefined];
    for (const p of list) {
      const pk = p ? portKey(p) : NO_PORT;
      ports.set(pk, p);
      for (const a of ss.addresses ?? []) note(pk, a, true);
      for (const a of ss.notReadyAddresses ?? []) note(pk, a, false);
    }
  }
  // Group ports by the exact set of (address, readiness) that offers them.
  const groups = new Map<string, { addrs: Map<string, [Address, boolean]>; ports: Port[] }>();
  for (const [pk, addrs] of byPort) {
    const gk = [...addrs.entries()].map(([k, [, r]]) => `${k}\u0000${r}`).sort().join('\u0001');
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { addrs, ports: [] }));
    const p = ports.get(pk);
    if (p) g.ports.push(p);
  }
  const out: Subset[] = [];
  for (const g of groups.values()) {
    const ready = [...g.addrs.values()].filter(([, r]) => r).map(([a]) => a).sort(compareAddress);
    const notReady = [...g.addrs.values()].filter(([, r]) => !r).map(([a]) => a).sort(compareAddress);
    const ss: Subset = {};
    if (ready.length) ss.addresses = ready;
    if (notReady.length) ss.notReadyAddresses = notReady;
    if (g.ports.length) ss.ports = g.ports.sort((a, b) => (portKey(a) < portKey(b) ? -1 : portKey(a) > portKey(b) ? 1 : 0));
    out.push(ss);
  }
  const first = (s: Subset) => (s.addresses ?? s.notReadyAddresses ?? [])[0];
  return out.sort((a, b) => compareAddress(first(a), first(b)));
}

/** The Endpoints subsets a Service with a selector should have for its selected pods. */
export function desiredSubsets(svc: Service, pods: Pod[]): Subset[] {
  return repackSubsets(podSubsets(svc, pods));
}
