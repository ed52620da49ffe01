// Label selectors: the string grammar of k8s.io/apimachinery/pkg/labels and metav1.LabelSelector.

import { badRequest } from './errors.js';

export type Operator = 'in' | 'notin' | 'exists' | '!' | '=' | '!=';

export interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

export type Selector = Requirement[];

export type Labels = Record<string, string> | undefined;

export function matches(sel: Selector, labels: Labels): boolean {
  for (const r of sel) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels![r.key] : undefined;
    switch (r.op) {
      case '=':
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case '!=':
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Parse `a=b,c!=d,e in (x,y),f notin (z),g,!h`. Throws BadRequest on bad syntax. */
export function parseSelector(input: string): Selector {
  const s = input.trim();
  if (s === '') return [];
  const out: Selector = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw badRequest(`unable to parse requirement: ${msg}`);
  };
  const ws = () => {
    while (i < s.length && s[i] === ' ') i++;
  };
  const ident = () => {
    ws();
    const start = i;
    while (i < s.length && !' ,=!()'.includes(s[i])) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    ws();
    let negate = false;
    if (s[i] === '!') {
      negate = true;
      i++;
    }
    const key = ident();
    if (!key) fail(`found '${s[i] ?? ''}', expected: identifier`);
    validateKey(key);
    ws();
    if (negate) {
      out.push({ key, op: '!', values: [] });
    } else if (i >= s.length || s[i] === ',') {
      out.push({ key, op: 'exists', values: [] });
    } else if (s.startsWith('!=', i)) {
      i += 2;
      out.push({ key, op: '!=', values: [ident()] });
    } else if (s.startsWith('==', i)) {
      i += 2;
      out.push({ key, op: '=', values: [ident()] });
    } else if (s[i] === '=') {
      i += 1;
      out.push({ key, op: '=', values: [ident()] });
    } else {
      const word = ident();
      if (word !== 'in' && word !== 'notin') fail(`found '${word}', expected: in, notin, =, ==, !=, gt, lt`);
      ws();
      if (s[i] !== '(') fail(`found '${s[i] ?? ''}', expected: '('`);
      i++;
      const values: string[] = [];
      for (;;) {
        const v = ident();
        values.push(v);
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ')') {
          i++;
          break;
        }
        fail(`found '${s[i] ?? ''}', expected: ',', or ')'`);
      }
      out.push({ key, op: word as Operator, values });
    }
    ws();
    if (i < s.length) {
      if (s[i] !== ',') fail(`found '${s[i]}', expected: ','`);
      i++;
      ws();
      if (i >= s.length) fail(`found '', expected: identifier`);
    }
  }
  return out;
}

function validateKey(key: string): void {
  if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key)) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}"`);
  }
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

const OPS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/** metav1.LabelSelectorAsSelector: an empty selector matches everything, a missing one nothing (callers decide). */
export function fromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  const out: Selector = [];
  for (const [key, v] of Object.entries(ls?.matchLabels ?? {})) out.push({ key, op: '=', values: [v] });
  for (const e of ls?.matchExpressions ?? []) out.push({ key: e.key, op: OPS[e.operator] ?? 'in', values: e.values ?? [] });
  return out;
}

/** The string form kubectl and Scale status use: `app=web,tier in (a,b)`. */
export function selectorString(sel: Selector): string {
  return [...sel]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => {
      switch (r.op) {
        case '=':
          return `${r.key}=${r.values[0]}`;
        case '!=':
          return `${r.key}!=${r.values[0]}`;
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        default:
          return `${r.key} ${r.op} (${[...r.values].sort().join(',')})`;
      }
    })
    .join(',');
}
