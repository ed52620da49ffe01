// EndpointSlice contents and the reconciler's plan (pkg/controller/endpointslice reconciler.go and
// endpointslice/util): endpoints grouped by their port set, at most 100 per slice; endpoints stay in
// the slice they are in; emptied slices are recycled for new ones; a Service without endpoints keeps
// one placeholder slice.

import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { deepEqual } from '../../machinery/objects.js';
import { isPodReady, newControllerRef } from '../controller_utils.js';
import { findPort, HEADLESS_LABEL, isHeadless, podIPFor, podRef, shouldPodBeInEndpoints, shouldSetHostname, type AddressType } from './pods.js';
import { LAST_CHANGE_TRIGGER_TIME } from './trigger_time.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;
const LABEL_ZONE = 'topology.kubernetes.io/zone';

/** An EndpointSlice as the API carries it: an empty slice has null endpoints and ports, as upstream writes it. */
export type WireSlice = Omit<EndpointSlice, 'endpoints' | 'ports'> & { endpoints: Endpoint[] | null; ports?: EndpointPort[] | null };

/** A slice the controller plans with. */
export type Slice = WireSlice & { metadata: ObjectMeta };

/** podToEndpoint: ready = publishNotReadyAddresses || (serving && !terminating). */
export function podToEndpoint(pod: Pod, svc: Service, family: AddressType, nodeLabels?: Record<string, string>): Endpoint | undefined {
  const ip = podIPFor(pod, family);
  if (!ip) return undefined;
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = { addresses: [ip], conditions: { ready, serving, terminating } };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec?.hostname;
  ep.targetRef = podRef(pod);
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  if (nodeLabels?.[LABEL_ZONE]) ep.zone = nodeLabels[LABEL_ZONE];
  return ep;
}

/** getEndpointPorts: the Service's ports that resolve on this pod, with names "" when unnamed. */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** setEndpointSliceLabels: the Service's labels, then the ones the controller owns. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) {
    if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY && k !== HEADLESS_LABEL) labels[k] = v;
  }
  labels[LABEL_SERVICE_NAME] = svc.metadata?.name ?? '';
  labels[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}

export const ownerReference = (svc: Service) => newControllerRef(svc, { apiVersion: 'v1', kind: 'Service' });

export function ownedBy(slice: { metadata?: ObjectMeta }, svc: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === svc.metadata?.uid);
}

interface Group {
  ports: EndpointPort[];
  endpoints: Map<string, Endpoint>;
}

const portsKey = (ports: EndpointPort[] | null | undefined) => JSON.stringify(ports ?? []);
const endpointKey = (ep: Endpoint) => ep.targetRef?.uid ?? ep.addresses?.[0] ?? '';

/** Desired endpoints of one address type, grouped by the port set they offer. */
export function desiredGroups(svc: Service, pods: Pod[], family: AddressType, nodeLabels: (name: string) => Record<string, string> | undefined): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ep = podToEndpoint(pod, svc, family, pod.spec?.nodeName ? nodeLabels(pod.spec.nodeName) : undefined);
    if (!ep) continue;
    const ports = endpointPorts(svc, pod);
    const k = portsKey(ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports, endpoints: new Map() }));
    g.endpoints.set(endpointKey(ep), ep);
  }
  return groups;
}

export interface SlicePlan {
  create: Slice[];
  update: Slice[];
  delete: Slice[];
}

function newSlice(svc: Service, family: AddressType, ports: EndpointPort[] | null, endpoints: Endpoint[] | null): Slice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { generateName: `${svc.metadata?.name}-`, namespace: svc.metadata?.namespace, labels: sliceLabels(svc), ownerReferences: [ownerReference(svc)] },
    addressType: family,
    endpoints,
    ports,
  };
}

function withContent(slice: Slice, svc: Service, ports: EndpointPort[] | null, endpoints: Endpoint[] | null): Slice {
  const next = structuredClone(slice);
  next.metadata.labels = sliceLabels(svc);
  next.metadata.ownerReferences = [ownerReference(svc)];
  next.endpoints = endpoints;
  next.ports = ports;
  return next;
}

function unchanged(slice: Slice, svc: Service, ports: EndpointPort[] | null, endpoints: Endpoint[] | null): boolean {
  return (
    deepEqual(slice.endpoints ?? [], endpoints ?? []) &&
    deepEqual(slice.ports ?? [], ports ?? []) &&
    deepEqual(slice.metadata.labels ?? {}, sliceLabels(svc)) &&
    ownedBy(slice, svc)
  );
}

/**
 * The creates, updates and deletes that bring a Service's slices of one address type to the desired
 * groups. `existing` are the controller's live slices for the Service and address type.
 */
export function planSlices(svc: Service, family: AddressType, groups: Map<string, Group>, existing: Slice[], triggerTime?: string): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const byPorts = new Map<string, Slice[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) {
      plan.delete.push(s);
      continue;
    }
    const k = portsKey(s.ports);
    byPorts.set(k, [...(byPorts.get(k) ?? []), s]);
  }
  for (const [k, g] of groups) {
    const remaining = new Map(g.endpoints);
    const kept = (byPorts.get(k) ?? []).map((slice) => {
      const eps: Endpoint[] = [];
      for (const ep of slice.endpoints ?? []) {
        const key = endpointKey(ep);
        const want = remaining.get(key);
        if (want && eps.length < MAX_ENDPOINTS_PER_SLICE) {
          eps.push(want);
          remaining.delete(key);
        }
      }
      return { slice, eps };
    });
    byPorts.delete(k);
    const rest = [...remaining.values()];
    for (const p of kept) p.eps.push(...rest.splice(0, MAX_ENDPOINTS_PER_SLICE - p.eps.length));
    while (rest.length) plan.create.push(newSlice(svc, family, g.ports, rest.splice(0, MAX_ENDPOINTS_PER_SLICE)));
    for (const { slice, eps } of kept) {
      if (eps.length === 0) plan.delete.push(slice);
      else if (!unchanged(slice, svc, g.ports, eps)) plan.update.push(withContent(slice, svc, g.ports, eps));
    }
  }
  for (const slices of byPorts.values()) plan.delete.push(...slices);

  // A Service without endpoints keeps exactly one empty placeholder slice.
  if (existing.length === plan.delete.length && plan.create.length === 0) {
    const only = plan.delete.length === 1 ? plan.delete[0] : undefined;
    if (only && ownedBy(only, svc) && unchanged(only, svc, null, null)) plan.delete = [];
    else plan.create.push(newSlice(svc, family, null, null));
  }
  // Turn a create plus a delete into one update of the slice that would go.
  for (let i = 0; i < plan.delete.length && plan.create.length; ) {
    const old = plan.delete[i];
    const c = ownedBy(old, svc) && old.addressType === family ? plan.create.shift() : undefined;
    if (c) {
      plan.update.push(withContent(old, svc, c.ports ?? null, c.endpoints));
      plan.delete.splice(i, 1);
    } else i++;
  }
  for (const s of [...plan.create, ...plan.update]) {
    const annotations = { ...(s.metadata.annotations ?? {}) };
    if (triggerTime) annotations[LAST_CHANGE_TRIGGER_TIME] = triggerTime;
    else delete annotations[LAST_CHANGE_TRIGGER_TIME];
    if (Object.keys(annotations).length) s.metadata.annotations = annotations;
    else delete s.metadata.annotations;
  }
  return plan;
}
