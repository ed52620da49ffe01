// LimitRanger (plugin/pkg/admission/limitranger): a new pod's containers get the default requests and
// limits of the namespace's LimitRanges; pods and claims outside their min/max/ratio are refused.

import type { Container, LimitRange, LimitRangeItem, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { podLimits, podRequests, toResourceList, type ResourceList } from '../../api/quota/evaluator.js';
import { forbidden } from '../../machinery/errors.js';
import { canonicalQuantity, compareQuantity, formatQuantity, quantityMilliValue, quantityValue, roundUpQuantity, type Quantity } from '../../machinery/quantity.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

type Limits = Record<string, string>;

/** SetDefaults_LimitRangeItem, for ranges stored without it: default from max, defaultRequest from default, then min. */
export function defaultedItem(item: LimitRangeItem): LimitRangeItem {
  if (item.type !== 'Container') return item;
  const def: Limits = { ...(item.max ?? {}), ...(item.default ?? {}) };
  const defReq: Limits = { ...(item.min ?? {}), ...def, ...(item.defaultRequest ?? {}) };
  return { ...item, default: def, defaultRequest: defReq };
}

function limitRanges(a: AdmissionAttributes): LimitRangeItem[][] {
  return a.store
    .list('limitranges', a.namespace)
    .entries.map((e) => (e.object as unknown as LimitRange).spec?.limits ?? [])
    .map((items) => items.map(defaultedItem));
}

/** mergeContainerResources: fill what the container leaves unset; describe what was filled. */
function mergeContainer(c: Container, limits: Limits, requests: Limits, prefix: string): string[] {
  const res = (c.resources ??= {});
  const setIn = (into: Limits, from: Limits) => {
    const missing = Object.keys(from).filter((k) => !(k in into)).sort();
    for (const k of missing) into[k] = canonicalQuantity(from[k]);
    return missing;
  };
  const setLimits = setIn((res.limits ??= {}), limits);
  const setRequests = setIn((res.requests ??= {}), requests);
  const notes: string[] = [];
  if (setRequests.length) notes.push(`${setRequests.join(', ')} request for ${prefix} ${c.name}`);
  if (setLimits.length) notes.push(`${setLimits.join(', ')} limit for ${prefix} ${c.name}`);
  return notes;
}

export function defaultPodResources(pod: Pod, items: LimitRangeItem[]): void {
  const limits: Limits = {};
  const requests: Limits = {};
  for (const item of items.filter((i) => i.type === 'Container')) {
    Object.assign(requests, item.defaultRequest ?? {});
    Object.assign(limits, item.default ?? {});
  }
  const notes = [
    ...(pod.spec?.containers ?? []).flatMap((c) => mergeContainer(c, limits, requests, 'container')),
    ...(pod.spec?.initContainers ?? []).flatMap((c) => mergeContainer(c, limits, requests, 'init container')),
  ];
  if (notes.length) (pod.metadata ??= {}).annotations = { ...(pod.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
}

// requestLimitEnforcedValues compares in milli-units, rounding up; exact here at any size.
const cmp = (a: Quantity | undefined, b: Quantity) => compareQuantity(roundUpQuantity(a ?? { value: 0n, scale: 0, format: 'DecimalSI' }, -3), roundUpQuantity(b, -3));
const str = formatQuantity;

function minConstraint(type: string, name: string, enforced: Quantity, req: ResourceList, lim: ResourceList): string | undefined {
  const min = `minimum ${name} usage per ${type} is ${str(enforced)}`;
  if (!req[name]) return `${min}.  No request is specified`;
  if (cmp(req[name], enforced) < 0) return `${min}, but request is ${str(req[name])}`;
  if (lim[name] && cmp(lim[name], enforced) < 0) return `${min}, but limit is ${str(lim[name])}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, req: ResourceList, lim: ResourceList): string | undefined {
  const max = `maximum ${name} usage per ${type} is ${str(enforced)}`;
  if (!lim[name]) return `${max}.  No limit is specified`;
  if (cmp(lim[name], enforced) > 0) return `${max}, but limit is ${str(lim[name])}`;
  if (req[name] && cmp(req[name], enforced) > 0) return `${max}, but request is ${str(req[name])}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: Quantity, req: ResourceList): string | undefined {
  const max = `maximum ${name} usage per ${type} is ${str(enforced)}`;
  if (!req[name]) return `${max}.  No request is specified`;
  if (cmp(req[name], enforced) > 0) return `${max}, but request is ${str(req[name])}`;
  return undefined;
}

const MAX_MILLI = Number.MAX_SAFE_INTEGER / 1000;

function ratioConstraint(type: string, name: string, enforced: Quantity, req: ResourceList, lim: ResourceList): string | undefined {
  const head = `${name} max limit to request ratio per ${type} is ${str(enforced)}`;
  const r = req[name] ? quantityMilliValue(req[name]) : 0;
  const l = lim[name] ? quantityMilliValue(lim[name]) : 0;
  if (r === 0) return `${head}, but no request is specified or request is 0`;
  if (l === 0) return `${head}, but no limit is specified or limit is 0`;
  const ratio = l / r;
  const exact = quantityValue(enforced) <= MAX_MILLI;
  if ((exact ? ratio * 1000 : ratio) > (exact ? quantityMilliValue(enforced) : quantityValue(enforced))) return `${head}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

type Check = (type: string, name: string, enforced: Quantity, req: ResourceList, lim: ResourceList) => string | undefined;

function check(item: LimitRangeItem, req: ResourceList, lim: ResourceList): string[] {
  const rules: Array<[Limits | undefined, Check]> = [[item.min, minConstraint], [item.max, maxConstraint], [item.maxLimitRequestRatio, ratioConstraint]];
  return rules.flatMap(([bounds, fn]) =>
    Object.keys(bounds ?? {}).sort().flatMap((k) => fn(item.type, k, toResourceList(bounds)[k], req, lim) ?? []),
  );
}

export function validatePod(pod: Pod, items: LimitRangeItem[]): string[] {
  return items.flatMap((item) => {
    if (item.type === 'Container') {
      const cs = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
      return cs.flatMap((c) => check(item, toResourceList(c.resources?.requests), toResourceList(c.resources?.limits)));
    }
    return item.type === 'Pod' ? check(item, podRequests(pod), podLimits(pod)) : [];
  });
}

export function validateClaim(pvc: PersistentVolumeClaim, items: LimitRangeItem[]): string[] {
  const req = toResourceList(pvc.spec?.resources?.requests);
  return items
    .filter((i) => i.type === 'PersistentVolumeClaim')
    .flatMap((item) => [
      // The claim's limits are not what the user asks for: min and max both apply to the request.
      ...Object.keys(item.min ?? {}).sort().flatMap((k) => minConstraint(item.type, k, toResourceList(item.min)[k], req, {}) ?? []),
      ...Object.keys(item.max ?? {}).sort().flatMap((k) => maxRequestConstraint(item.type, k, toResourceList(item.max)[k], req) ?? []),
    ]);
}

/** utilerrors.NewAggregate's message: one error as is, several deduplicated in brackets. */
export function aggregate(errs: string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

const isCore = (a: AdmissionAttributes, plural: string) => a.resource.group === '' && a.resource.plural === plural && !a.subresource;

export const limitRanger: AdmissionPlugin = {
  name: 'LimitRanger',
  admit(a) {
    if (a.operation !== 'CREATE' || !isCore(a, 'pods')) return;
    for (const items of limitRanges(a)) defaultPodResources(a.object as Pod, items);
  },
  validate(a) {
    // Containers cannot change after a pod is created, so only new pods are checked.
    const pod = a.operation === 'CREATE' && isCore(a, 'pods');
    const claim = (a.operation === 'CREATE' || a.operation === 'UPDATE') && isCore(a, 'persistentvolumeclaims');
    if (!pod && !claim) return;
    for (const items of limitRanges(a)) {
      const errs = pod ? validatePod(a.object as Pod, items) : validateClaim(a.object as PersistentVolumeClaim, items);
      if (errs.length) throw forbidden(a.resource, a.name, aggregate(errs));
    }
  },
};
