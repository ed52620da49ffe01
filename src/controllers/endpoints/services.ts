// Services and the pods they select, from the shared informers (endpointsliceutil GetPodServiceMemberships
// and the pod lister by selector): which Services a pod change concerns, and a Service's pods.

import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { cacheKey, type Informer } from '../../client/informer.js';
import type { Stored } from '../../client/objects.js';
import { matches, type Selector } from '../../machinery/labels.js';

/** Services without a selector get their endpoints from someone else; ExternalName ones get none. */
export function managesEndpoints(svc: Service): boolean {
  return svc.spec?.selector !== undefined && svc.spec?.selector !== null && svc.spec?.type !== 'ExternalName';
}

function selectorOf(svc: Service): Selector {
  return Object.entries(svc.spec?.selector ?? {}).map(([key, v]) => ({ key, op: '=' as const, values: [v] }));
}

export function selectedPods(pods: Informer<Pod>, svc: Stored<Service>): Array<Stored<Pod>> {
  const sel = selectorOf(svc);
  return pods
    .byIndex('namespace', svc.metadata.namespace ?? '')
    .filter((p) => matches(sel, p.metadata.labels))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** Keys of the Services in the pod's namespace whose selector matches any of the given label sets. */
export function serviceKeysFor(services: Informer<Service>, namespace: string, labelSets: Array<Record<string, string> | undefined>): string[] {
  const keys: string[] = [];
  for (const svc of services.byIndex('namespace', namespace)) {
    if (!managesEndpoints(svc)) continue;
    const sel = selectorOf(svc);
    if (labelSets.some((l) => matches(sel, l))) keys.push(cacheKey(svc));
  }
  return keys;
}

/** Whether a pod update can change any endpoint built from it. */
export function podEndpointChanged(old: Pod, pod: Pod): boolean {
  const view = (p: Pod) =>
    JSON.stringify([
      p.metadata?.labels ?? {},
      p.metadata?.deletionTimestamp ?? null,
      p.status?.podIP ?? null,
      p.status?.podIPs ?? null,
      p.status?.phase ?? null,
      (p.status?.conditions ?? []).find((c) => c.type === 'Ready') ?? null,
      p.spec?.nodeName ?? null,
      p.spec?.hostname ?? null,
      p.spec?.subdomain ?? null,
    ]);
  return view(old) !== view(pod);
}
