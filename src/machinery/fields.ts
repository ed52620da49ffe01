// Field selectors: `metadata.name=web,spec.nodeName!=n1`, matched through per-resource field getters.

import { badRequest } from './errors.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Reads one selectable field of a `T`. */
export type FieldGetter<T> = (obj: T) => string | undefined;

export function parseFieldSelector(input: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  for (const part of input.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const m = /^([^=!]+?)\s*(==|!=|=)\s*(.*)$/.exec(p);
    if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${p}'`);
    out.push({ field: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] });
  }
  return out;
}

export function matchesFields<T>(reqs: FieldRequirement[], obj: T, getters: Record<string, FieldGetter<T>>): boolean {
  for (const r of reqs) {
    const v = getters[r.field]!(obj) ?? '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}

/** Rejects fields the resource does not support, with the real server's message. */
export function checkFields<T>(reqs: FieldRequirement[], getters: Record<string, FieldGetter<T>>): void {
  for (const r of reqs) {
    if (!getters[r.field]) throw badRequest(`field label not supported: ${r.field}`);
  }
}
