// Resource arithmetic the scheduler does in plain numbers (framework.Resource): cpu in millicores,
// everything else in whole units, parsed once per pod and per node.

import type { Container, Node, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityMilliValue, quantityValue } from '../machinery/quantity.js';

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  /** Extended, hugepages and other countable resources, by name. */
  scalar: Map<string, number>;
}

export const emptyResource = (): Resource => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: new Map() });

// schedutil.DefaultMilliCPURequest / DefaultMemoryRequest: what a container without requests counts as
// when spreading by load, so that many request-less pods do not pile onto one node.
const DEFAULT_MILLI_CPU = 100;
const DEFAULT_MEMORY = 200 * 1024 * 1024;

type Amounts = Map<string, number>;

function amount(name: string, q: string | number): number {
  try {
    const parsed = parseQuantity(String(q));
    return name === 'cpu' ? quantityMilliValue(parsed) : quantityValue(parsed);
  } catch {
    return 0;
  }
}

function amounts(list: Record<string, string | number> | undefined): Amounts {
  const out: Amounts = new Map();
  for (const [name, q] of Object.entries(list ?? {})) out.set(name, amount(name, q));
  return out;
}

function addInto(into: Amounts, a: Amounts): void {
  for (const [k, v] of a) into.set(k, (into.get(k) ?? 0) + v);
}

function maxInto(into: Amounts, a: Amounts): void {
  for (const [k, v] of a) into.set(k, Math.max(into.get(k) ?? 0, v));
}

/**
 * resourcehelper.PodRequests: the sum over app containers and sidecars, or the largest init container
 * (plus the sidecars started before it) if that is more, plus pod overhead.
 */
function podAmounts(spec: PodSpec | undefined, containerAmounts: (c: Container) => Amounts): Amounts {
  const reqs: Amounts = new Map();
  for (const c of spec?.containers ?? []) addInto(reqs, containerAmounts(c));
  const sidecars: Amounts = new Map();
  const initMax: Amounts = new Map();
  for (const c of spec?.initContainers ?? []) {
    const own = containerAmounts(c);
    if (c.restartPolicy === 'Always') {
      addInto(reqs, own);
      addInto(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      const withSidecars = new Map(sidecars);
      addInto(withSidecars, own);
      maxInto(initMax, withSidecars);
    }
  }
  maxInto(reqs, initMax);
  addInto(reqs, amounts(spec?.overhead));
  return reqs;
}

function toResource(a: Amounts): Resource {
  const r = emptyResource();
  for (const [name, v] of a) {
    if (name === 'cpu') r.milliCPU = v;
    else if (name === 'memory') r.memory = v;
    else if (name === 'ephemeral-storage') r.ephemeralStorage = v;
    else if (name === 'pods') r.allowedPodNumber = v;
    else if (name !== 'storage') r.scalar.set(name, v);
  }
  return r;
}

export function podRequests(pod: Pod): Resource {
  return toResource(podAmounts(pod.spec, (c) => amounts(c.resources?.requests)));
}

/** Requests with the non-zero defaults for cpu and memory (schedutil.GetNonzeroRequests). */
export function nonZeroRequests(pod: Pod): { milliCPU: number; memory: number } {
  const a = podAmounts(pod.spec, (c) => {
    const own = amounts(c.resources?.requests);
    if (!own.has('cpu')) own.set('cpu', DEFAULT_MILLI_CPU);
    if (!own.has('memory')) own.set('memory', DEFAULT_MEMORY);
    return own;
  });
  return { milliCPU: a.get('cpu') ?? 0, memory: a.get('memory') ?? 0 };
}

export function nodeAllocatable(node: Node): Resource {
  return toResource(amounts(node.status?.allocatable));
}

export function addResource(into: Resource, r: Resource, sign: 1 | -1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + sign * v);
}
