// Quota usage of API objects (pkg/quota/v1/evaluator/core): what a pod, claim, service or any counted
// object adds to a ResourceQuota's used resources. Pure functions, shared by the ResourceQuota
// admission plugin and the ResourceQuota controller.

import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Container, PersistentVolumeClaim, Pod, ResourceQuota, Service } from 'kubernetes-types/core/v1.js';
import { addQuantity, compareQuantity, formatQuantity, quantityFromValue, toQuantity, type Quantity } from '../../machinery/quantity.js';

/** Any object a quota counts. */
export interface QuotaObject {
  metadata?: ObjectMeta;
}

export type ResourceList = Record<string, Quantity>;
export interface GroupResource {
  group: string;
  plural: string;
}

export const toResourceList = (m: Record<string, string | number> | undefined): ResourceList =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, toQuantity(v)]));

export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? addQuantity(out[k], v) : v;
  return out;
}

function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) if (!out[k] || compareQuantity(v, out[k]) > 0) out[k] = v;
  return out;
}

/** The canonical strings of a list, in the form status and messages show (`1`, `500m`, `1Gi`, `0`). */
export const formatList = (l: ResourceList): Record<string, string> =>
  Object.fromEntries(Object.entries(l).map(([k, v]) => [k, formatQuantity(v)]));

type Pick = (c: Container) => Record<string, string> | undefined;

// resourcehelper: containers add up; each init container runs alone (next to the sidecars started
// before it), so the pod needs the larger of the two; sidecars (restartPolicy Always) also add up.
function podResources(pod: Pod, pick: Pick): ResourceList {
  let sum: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) sum = addLists(sum, toResourceList(pick(c)));
  let sidecars: ResourceList = {};
  let init: ResourceList = {};
  for (const c of pod.spec?.initContainers ?? []) {
    const own = toResourceList(pick(c));
    if (c.restartPolicy === 'Always') {
      sum = addLists(sum, own);
      sidecars = addLists(sidecars, own);
      init = maxLists(init, sidecars);
    } else init = maxLists(init, addLists(own, sidecars));
  }
  return maxLists(sum, init);
}

export function podRequests(pod: Pod): ResourceList {
  return addLists(podResources(pod, (c) => c.resources?.requests), toResourceList(pod.spec?.overhead));
}

export function podLimits(pod: Pod): ResourceList {
  const limits = podResources(pod, (c) => c.resources?.limits);
  // Overhead only adds to limits that are set.
  for (const [k, v] of Object.entries(toResourceList(pod.spec?.overhead))) if (limits[k]) limits[k] = addQuantity(limits[k], v);
  return limits;
}

const ONE = quantityFromValue(1);
const PREFIXED = ['hugepages-'];
const isExtended = (name: string) => name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.');

/** podComputeUsageHelper: the quota names a set of requests and limits fills. */
export function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: ONE };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r]) out[r] = out[`requests.${r}`] = requests[r];
    if (limits[r]) out[`limits.${r}`] = limits[r];
  }
  for (const [r, q] of Object.entries(requests)) {
    if (PREFIXED.some((p) => r.startsWith(p))) out[r] = out[`requests.${r}`] = q;
    if (isExtended(r)) out[`requests.${r}`] = q;
  }
  return out;
}

/** QuotaV1Pod: terminal pods, and pods stuck terminating past their grace period, use no compute quota. */
export function podCountsForQuota(pod: Pod, nowMs: number): boolean {
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') return false;
  const del = pod.metadata?.deletionTimestamp;
  const grace = pod.metadata?.deletionGracePeriodSeconds;
  return !(del && grace !== undefined && nowMs > Date.parse(del) + grace * 1000);
}

export const countName = (r: GroupResource) => `count/${r.plural}${r.group ? `.${r.group}` : ''}`;
const LEGACY_COUNTS = new Set(['configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas', 'services', 'persistentvolumeclaims']);
const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

function serviceUsage(svc: Service): ResourceList {
  const ports = svc.spec?.ports ?? [];
  if (svc.spec?.type === 'NodePort') return { 'services.nodeports': quantityFromValue(ports.length) };
  if (svc.spec?.type !== 'LoadBalancer') return {};
  // Without node port allocation only the ports that name one explicitly take one.
  const nodePorts = svc.spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort).length : ports.length;
  return { 'services.nodeports': quantityFromValue(nodePorts), 'services.loadbalancers': ONE };
}

function claimUsage(pvc: PersistentVolumeClaim): ResourceList {
  const out: ResourceList = {};
  const cls = pvc.spec?.storageClassName ?? pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
  if (cls) out[`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = ONE;
  const requested = pvc.spec?.resources?.requests?.storage;
  const allocated = pvc.status?.allocatedResources?.storage;
  let storage = requested !== undefined ? toQuantity(requested) : undefined;
  if (storage && allocated !== undefined && compareQuantity(toQuantity(allocated), storage) > 0) storage = toQuantity(allocated);
  if (storage) {
    out['requests.storage'] = storage;
    if (cls) out[`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`] = storage;
  }
  return out;
}

/** What one object of `r` uses, under every quota name that can count it. */
export function usageOf(r: GroupResource, obj: QuotaObject, nowMs: number): ResourceList {
  let out: ResourceList = { [countName(r)]: ONE };
  if (r.group !== '') return out;
  if (LEGACY_COUNTS.has(r.plural)) out[r.plural] = ONE;
  if (r.plural === 'pods') {
    const pod = obj as Pod;
    if (podCountsForQuota(pod, nowMs)) out = addLists(out, computeUsage(podRequests(pod), podLimits(pod)));
  } else if (r.plural === 'services') out = addLists(out, serviceUsage(obj as Service));
  else if (r.plural === 'persistentvolumeclaims') out = addLists(out, claimUsage(obj as PersistentVolumeClaim));
  return out;
}

const COMPUTE = new Set(['cpu', 'memory']);
function isBestEffort(pod: Pod): boolean {
  const cs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return cs.every((c) => ![...Object.keys(c.resources?.requests ?? {}), ...Object.keys(c.resources?.limits ?? {})].some((k) => COMPUTE.has(k)));
}

function podMatchesScope(pod: Pod, scope: string, operator = 'Exists', values: string[] = []): boolean {
  const terminating = pod.spec?.activeDeadlineSeconds != null && pod.spec.activeDeadlineSeconds >= 0;
  switch (scope) {
    case 'Terminating': return terminating;
    case 'NotTerminating': return !terminating;
    case 'BestEffort': return isBestEffort(pod);
    case 'NotBestEffort': return !isBestEffort(pod);
    case 'PriorityClass': {
      const pc = pod.spec?.priorityClassName ?? '';
      if (operator === 'Exists') return pc !== '';
      if (operator === 'DoesNotExist') return pc === '';
      return (operator === 'In') === values.includes(pc);
    }
    default: return false;
  }
}

/** Whether `obj` falls under the quota's scopes: scoped quotas count pods only, matching every scope. */
export function quotaMatches(q: ResourceQuota, r: GroupResource, obj: QuotaObject): boolean {
  const scopes = [...(q.spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists', values: [] as string[] })), ...(q.spec?.scopeSelector?.matchExpressions ?? [])];
  if (scopes.length === 0) return true;
  if (r.group !== '' || r.plural !== 'pods') return false;
  return scopes.every((s) => podMatchesScope(obj as Pod, s.scopeName, s.operator, s.values ?? []));
}

/** The usage of `objects` under the names in `hard`, zero where nothing counts. */
export function quotaUsage(q: ResourceQuota, objects: Iterable<{ resource: GroupResource; object: QuotaObject }>, nowMs: number): ResourceList {
  const names = Object.keys(q.spec?.hard ?? {});
  const used: ResourceList = Object.fromEntries(names.map((n) => [n, quantityFromValue(0)]));
  for (const { resource, object } of objects) {
    if (!quotaMatches(q, resource, object)) continue;
    for (const [k, v] of Object.entries(usageOf(resource, object, nowMs))) if (k in used) used[k] = addQuantity(used[k], v);
  }
  return used;
}
