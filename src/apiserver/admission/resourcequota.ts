// ResourceQuota admission (plugin/pkg/admission/resourcequota): a write that would take a namespace past
// any hard limit of its quotas is refused, and a pod must set every compute resource a quota constrains.
//
// Usage is computed from the stored objects, not read from the quota's status, so a quota is enforced
// before its controller has written status. Admission runs before the write commits, so two creates in
// flight could both fit on their own and overrun together; upstream closes that by writing the new usage
// to the quota's status with compare-and-swap before admitting. Here each admitted object is held as a
// reservation (counted for later admissions) until the store has it, or for RESERVATION_MS if its write
// never lands. That closes the race inside one API server process; servers sharing one store can still
// overrun a quota by the objects admitted concurrently on the others.

import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { resourceKey } from '../../api/resources.js';
import {
  addLists,
  computeUsage,
  formatList,
  quotaMatches,
  toResourceList,
  usageOf,
  type ResourceList,
} from '../../api/quota/evaluator.js';
import { realClock, type Clock } from '../../machinery/clock.js';
import { forbidden } from '../../machinery/errors.js';
import { compareQuantity, isZeroQuantity, subQuantity } from '../../machinery/quantity.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.js';
import type { Store } from '../../storage/store.js';

export const RESERVATION_MS = 30_000;

/** Quota names a pod must set in every container when a quota constrains them (a backward-compatible rule). */
const MUST_SPECIFY = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);
const POD_COMPUTE = /^(pods|count\/pods|cpu|memory|ephemeral-storage|hugepages-.*|(requests|limits)\..*)$/;

/** The pod evaluator's Constraints: which constrained compute resources which containers leave unset. */
export function podConstraints(pod: Pod, hard: string[]): string | undefined {
  const required = hard.filter((r) => MUST_SPECIFY.has(r));
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const usage = computeUsage(toResourceList(c.resources?.requests), toResourceList(c.resources?.limits));
    for (const r of required) if (!(r in usage)) (missing.get(r) ?? missing.set(r, new Set()).get(r))?.add(c.name);
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...(missing.get(r) ?? [])].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

const prettyPrint = (l: ResourceList) =>
  Object.entries(formatList(l))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

const mask = (l: ResourceList, names: string[]): ResourceList => Object.fromEntries(names.filter((n) => l[n]).map((n) => [n, l[n]]));

interface Reservation {
  resource: string;
  namespace: string;
  name: string;
  usage: ResourceList;
  uid: string;
  /** The stored revision of the object when it was admitted (0 for a create). */
  rev: number;
  expires: number;
}

export function resourceQuotaAdmission(clock: Clock = realClock): AdmissionPlugin {
  const reservations = new Map<string, Reservation>();
  const entryKey = (resource: string, ns: string, name: string) => `${resource}/${ns}/${name}`;

  /** The namespace's usage of `resource` by object, with admitted writes not yet stored in place of what is. */
  function usageByObject(store: Store, resource: string, ns: string, now: number, r: AdmissionAttributes['resource']): Map<string, ResourceList> {
    const out = new Map<string, ResourceList>();
    for (const e of store.list(resource, ns).entries) out.set(entryKey(resource, ns, e.name), usageOf(r, e.object, now));
    for (const [key, res] of reservations) {
      const stored = store.get(res.resource, res.namespace, res.name);
      const landed = stored && stored.object.metadata.uid === res.uid && stored.rev > res.rev;
      if (landed || res.expires < now) reservations.delete(key);
      else if (res.resource === resource && res.namespace === ns) out.set(key, res.usage);
    }
    return out;
  }

  return {
    name: 'ResourceQuota',
    validate(a) {
      if (a.operation === 'DELETE' || a.subresource || !a.resource.namespaced) return;
      // Only these may change usage on update (a resize, a change of service type).
      if (a.operation === 'UPDATE' && !(a.resource.group === '' && ['persistentvolumeclaims', 'services'].includes(a.resource.plural))) return;
      const quotas = a.store
        .list('resourcequotas', a.namespace)
        .entries.map((e) => e.object as unknown as ResourceQuota)
        .filter((q) => quotaMatches(q, a.resource, a.object))
        .sort((x, y) => (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''));
      if (quotas.length === 0) return;
      const now = clock.now();
      const newUsage = usageOf(a.resource, a.object, now);
      const isPod = a.resource.group === '' && a.resource.plural === 'pods';
      const interesting = quotas.filter((q) => Object.keys(q.spec?.hard ?? {}).some((n) => n in newUsage || (isPod && POD_COMPUTE.test(n))));
      for (const q of isPod ? interesting : []) {
        const why = podConstraints(a.object as Pod, Object.keys(q.spec?.hard ?? {}));
        if (why) throw forbidden(a.resource, a.name, `failed quota: ${q.metadata?.name}: ${why}`);
      }
      const delta: ResourceList = { ...newUsage };
      if (a.old) for (const [k, v] of Object.entries(usageOf(a.resource, a.old, now))) delta[k] = subQuantity(delta[k] ?? { ...v, value: 0n }, v);
      for (const k of Object.keys(delta)) if (isZeroQuantity(delta[k])) delete delta[k];
      if (Object.keys(delta).length === 0 || interesting.length === 0) return;

      const resource = resourceKey(a.resource);
      const key = entryKey(resource, a.namespace, a.name);
      const byObject = usageByObject(a.store, resource, a.namespace, now, a.resource);
      // What the object uses now is its old state; a create replaces nothing.
      if (a.old) byObject.set(key, usageOf(a.resource, a.old, now));
      else byObject.delete(key);
      const used = [...byObject.values()].reduce(addLists, {});
      for (const q of interesting) {
        const hard = toResourceList(q.spec?.hard);
        const requested = mask(delta, Object.keys(hard));
        const names = Object.keys(requested);
        const exceeded = names.filter((n) => compareQuantity(addLists(mask(used, [n]), mask(requested, [n]))[n], hard[n]) > 0);
        if (exceeded.length === 0) continue;
        const usedShown = Object.fromEntries(exceeded.map((n) => [n, used[n] ?? { ...hard[n], value: 0n }]));
        throw forbidden(
          a.resource,
          a.name,
          `exceeded quota: ${q.metadata?.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(usedShown)}, limited: ${prettyPrint(mask(hard, exceeded))}`,
        );
      }
      if (a.dryRun) return;
      const stored = a.store.get(resource, a.namespace, a.name);
      if (a.operation === 'CREATE' && stored) return; // refused as AlreadyExists after admission
      reservations.set(key, { resource, namespace: a.namespace, name: a.name, usage: newUsage, uid: a.object.metadata.uid ?? '', rev: stored?.rev ?? 0, expires: now + RESERVATION_MS });
    },
  };
}
