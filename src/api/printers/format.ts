// Cell formatting helpers shared by several printers (ports of the small Go helpers in printers.go).

import { fromLabelSelector, selectorString, type LabelSelector } from '../../machinery/labels.js';
import { translateTimestampSince } from '../../machinery/duration.js';
import type { Container } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export function age(obj: Loose<{ metadata?: ObjectMeta }> | undefined, now: number): string {
  return translateTimestampSince(obj?.metadata?.creationTimestamp, now);
}

/** labels.FormatLabels: sorted `k=v` pairs, `<none>` when empty. */
export function formatLabels(map: Record<string, string> | undefined): string {
  const keys = Object.keys(map ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${map![k]}`).join(',');
}

/** metav1.LabelSelectorAsSelector(...).String(): empty for a missing or empty selector. */
export function selectorText(sel: Loose<LabelSelector> | undefined | null): string {
  // Stored selectors passed validation, which requires each expression's key and operator.
  return selectorString(fromLabelSelector(sel as LabelSelector | undefined | null));
}

/** metav1.FormatLabelSelector: like selectorText but `<none>` when empty. */
export function formatLabelSelector(sel: Loose<LabelSelector> | undefined | null): string {
  return selectorText(sel) || '<none>';
}

/** layoutContainerCells: container names and images, each comma-joined. */
export function containerCells(containers: Loose<Container[]> | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

const ACCESS_MODES: Array<[string, string]> = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** helper.GetAccessModesAsString: always in RWO,ROX,RWX,RWOP order, duplicates dropped. */
export function accessModesAsString(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  return ACCESS_MODES.filter(([mode]) => set.has(mode))
    .map(([, short]) => short)
    .join(',');
}

/** listWithMoreString: `a,b,c + N more...`, `<unset>` when empty. */
export function listWithMore(items: string[], max = 3): string {
  const shown = items.slice(0, max).join(',');
  if (items.length > max) return `${shown} + ${items.length - max} more...`;
  return shown || '<unset>';
}

/** printBoolPtr: `True`, `False` or `<unset>`. */
export function boolPtr(v: boolean | undefined | null): string {
  if (v === undefined || v === null) return '<unset>';
  return v ? 'True' : 'False';
}

/** intstr.IntOrString.String(). */
export function intOrString(v: number | string): string {
  return typeof v === 'number' ? String(Math.trunc(v)) : v;
}

/** net.JoinHostPort: brackets around IPv6 hosts. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** sets.NewString(...).List(): sorted and de-duplicated. */
export function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
