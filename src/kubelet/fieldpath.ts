// Downward API value resolution shared by env vars and downwardAPI volumes: pkg/fieldpath
// (metadata fields, Go-quoted label/annotation maps) and the resource helpers (limits/requests with a
// divisor, rounded up, falling back to node allocatable when a container has no limit).

import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityMilliValue, quantityValue, type Quantity } from '../machinery/quantity.js';

/** node allocatable, e.g. `{ cpu: '4', memory: '8Gi' }` */
export type ResourceList = Readonly<Record<string, string>>;

/** `metadata.labels['app']` → `['metadata.labels', 'app']` (fieldpath.SplitMaybeSubscriptedPath). */
export function splitSubscriptedPath(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return [s.slice(0, at), s.slice(at + 2)];
}

/** fieldpath.FormatMap: `key="value"` lines sorted by key, values quoted like Go's %q. */
export function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k])}`)
    .join('\n');
}

const GO_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

/** strconv.Quote for valid UTF-8: printable runes stay, the rest become escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (GO_ESCAPES[ch]) out += GO_ESCAPES[ch];
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u.test(ch) || (/\p{Z}/u.test(ch) && ch !== ' ')) {
      out += cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

/** fieldpath.ExtractFieldPathAsString: the object-metadata paths a downwardAPI volume may project. */
export function extractFieldPathAsString(pod: Pod, fieldPath: string): string {
  const meta = pod.metadata ?? {};
  const sub = splitSubscriptedPath(fieldPath);
  if (sub) {
    const [path, key] = sub;
    if (path === 'metadata.annotations') return meta.annotations?.[key] ?? '';
    if (path === 'metadata.labels') return meta.labels?.[key] ?? '';
    throw new Error(`fieldPath ${JSON.stringify(fieldPath)} does not support subscript`);
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

export interface PodRuntimeFields {
  podIPs?: readonly string[];
  hostIPs?: readonly string[];
}

/** Kubelet.podFieldSelectorRuntimeValue: spec/status fields on top of the metadata paths. */
export function podFieldRuntimeValue(fs: ObjectFieldSelector, pod: Pod, runtime: PodRuntimeFields): string {
  const podIPs = runtime.podIPs ?? pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  const hostIPs = runtime.hostIPs ?? pod.status?.hostIPs?.map((p) => p.ip) ?? (pod.status?.hostIP ? [pod.status.hostIP] : []);
  switch (fs.fieldPath) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return hostIPs[0] ?? '';
    case 'status.hostIPs':
      return hostIPs.join(',');
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
  }
  return extractFieldPathAsString(pod, fs.fieldPath);
}

function quantity(list: Readonly<Record<string, string>> | undefined, name: string): Quantity {
  const v = list?.[name];
  return parseQuantity(v === undefined ? '0' : String(v));
}

/** fieldpath.MergeContainerResourceLimits: a missing or zero cpu/memory limit becomes node allocatable. */
function withAllocatableLimits(container: Container, allocatable: ResourceList): Record<string, string> {
  const limits: Record<string, string> = { ...(container.resources?.limits as Record<string, string> | undefined) };
  for (const name of ['cpu', 'memory']) {
    const have = limits[name];
    if ((have === undefined || quantity(limits, name).value === 0n) && allocatable[name] !== undefined) limits[name] = allocatable[name];
  }
  return limits;
}

/**
 * resource.ExtractResourceValueByContainerNameAndNodeAllocatable. cpu is compared in milli-units,
 * everything else in whole units; the quotient is rounded up.
 */
export function containerResourceValue(fs: ResourceFieldSelector, pod: Pod, container: Container | undefined, allocatable: ResourceList): string {
  const named = fs.containerName ? pod.spec?.containers.find((c) => c.name === fs.containerName) : container;
  if (!named) throw new Error(`container ${fs.containerName ?? ''} not found`);
  const divisorText = fs.divisor === undefined ? '0' : String(fs.divisor);
  const divisor = parseQuantity(divisorText).value === 0n ? parseQuantity('1') : parseQuantity(divisorText);
  const limits = withAllocatableLimits(named, allocatable);
  const requests = named.resources?.requests as Record<string, string> | undefined;
  const [kind, name] = splitResource(fs.resource);
  if (!kind || !(name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-'))) {
    throw new Error(`unsupported container resource : ${fs.resource}`);
  }
  const q = quantity(kind === 'limits' ? limits : requests, name);
  const ratio = name === 'cpu' ? quantityMilliValue(q) / quantityMilliValue(divisor) : quantityValue(q) / quantityValue(divisor);
  return String(Math.ceil(ratio));
}

function splitResource(resource: string): ['limits' | 'requests' | undefined, string] {
  const dot = resource.indexOf('.');
  const kind = resource.slice(0, dot);
  return [kind === 'limits' || kind === 'requests' ? kind : undefined, resource.slice(dot + 1)];
}
