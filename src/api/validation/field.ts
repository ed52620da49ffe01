// field.Path building and the field.Error kinds errors.ts has no builder for, with bad values
// rendered the way field.Error.ErrorBody prints them (strings quoted, numbers bare, Go %#v for maps and slices).
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { FieldError } from '../../machinery/errors.js';
import type { Loose } from '../loose.js';

export type Errors = FieldError[];

export const child = (path: string, ...names: string[]) => names.reduce((p, n) => (p ? `${p}.${n}` : n), path);
export const index = (path: string, i: number) => `${path}[${i}]`;
export const key = (path: string, k: string) => `${path}[${k}]`;

const isStringRecord = (v: object) => Object.values(v).every((x) => typeof x === 'string');
const quote = (s: string) => JSON.stringify(s);

/** How ErrorBody prints a bad value that came from a JSON document. */
export function goValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `[]string{${v.map(quote).join(', ')}}`;
  if (!Array.isArray(v) && typeof v === 'object' && isStringRecord(v)) return stringMap(v as Record<string, string>);
  return JSON.stringify(v);
}

export function stringMap(m: Record<string, string> | undefined): string {
  if (!m) return 'map[string]string(nil)';
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${quote(k)}:${quote(m[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

/** %#v of a metav1.LabelSelector value, as the immutable-selector errors show it. */
export function labelSelectorValue(sel: Loose<LabelSelector> | undefined | null): string {
  if (!sel) return 'null';
  const exprs = sel.matchExpressions;
  const rendered = exprs
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map((e) => `v1.LabelSelectorRequirement{Key:${quote(e.key ?? '')}, Operator:${quote(e.operator ?? '')}, Values:${e.values ? goValue(e.values) : '[]string(nil)'}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${stringMap(sel.matchLabels)}, MatchExpressions:${rendered}}`;
}

/** %#v of an intstr.IntOrString value. */
export function intOrStringValue(v: unknown): string {
  return typeof v === 'string'
    ? `intstr.IntOrString{Type:1, IntVal:0, StrVal:${quote(v)}}`
    : `intstr.IntOrString{Type:0, IntVal:${Number(v ?? 0)}, StrVal:""}`;
}

export const invalid = (field: string, value: unknown, detail: string): FieldError => invalidRendered(field, goValue(value), detail);

export const invalidRendered = (field: string, rendered: string, detail: string): FieldError => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${rendered}${detail ? `: ${detail}` : ''}`,
});

export const notSupportedRendered = (field: string, rendered: string, valid: string[]): FieldError => ({
  reason: 'FieldValueNotSupported',
  field,
  message: `Unsupported value: ${rendered}: supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}`,
});

/** An Invalid error that deliberately shows no value (field.OmitValueType). */
export const invalidOmitValue = (field: string, detail: string): FieldError => ({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${detail}` });

export const notFound = (field: string, value: unknown): FieldError => ({ reason: 'FieldValueNotFound', field, message: `Not found: ${goValue(value)}` });

export const duplicateRendered = (field: string, rendered: string, detail = ''): FieldError => ({
  reason: 'FieldValueDuplicate',
  field,
  message: `Duplicate value: ${rendered}${detail ? `: ${detail}` : ''}`,
});

export const tooMany = (field: string, actual: number, max: number): FieldError => ({
  reason: 'FieldValueTooMany',
  field,
  message: `Too many: ${actual}: must have at most ${max} items`,
});

/** ValidateNonnegativeField. */
export function nonNegative(value: unknown, field: string): Errors {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
}

/** Messages from a string validator, each as an Invalid error on one field. */
export const each = (field: string, value: unknown, msgs: string[]): Errors => msgs.map((m) => invalid(field, value, m));

export const isSet = <T>(v: T): v is NonNullable<T> => v !== undefined && v !== null;
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
// arr() and obj() read fields of validators that still take open JSON; each caller narrows the values it uses.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- element type chosen by the caller (arr<string>) or open JSON
export const arr = <T = any>(v: unknown): T[] => (Array.isArray(v) ? v : []);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- open JSON object whose fields the caller narrows
export const obj = (v: unknown): Record<string, any> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {});
