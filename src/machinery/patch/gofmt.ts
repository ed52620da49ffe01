// Go's fmt rendering of decoded JSON (map[string]interface{} and friends), so that patch error
// messages read exactly as the apiserver's do. Integral numbers are int64 there: the apiserver
// decodes with k8s.io/apimachinery/pkg/util/json, which converts them.

import type { Json } from './json.js';

/** reflect.TypeOf(v).String() for a decoded JSON value; `%s` of a nil reflect.Type for null. */
export function goTypeName(v: Json | undefined): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int64' : 'float64';
    default:
      return 'map[string]interface {}';
  }
}

/** `%v`: maps print with sorted keys as `map[k:v]`, slices as `[a b]`, nil as `<nil>`. */
export function goSprint(v: Json | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return String(v);
    case 'number':
      return goNumber(v);
    default:
      return `map[${Object.keys(v)
        .sort()
        .map((k) => `${k}:${goSprint(v[k])}`)
        .join(' ')}]`;
  }
}

/** `%s`: strings as they are, anything else in Go's bad-verb form. */
export function goString(v: Json | undefined): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'object') return goSprint(v);
  return `%!s(${goTypeName(v)}=${goSprint(v)})`;
}

function goNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  // strconv.FormatFloat(f, 'g', -1, 64): exponent form below 1e-4 and from 1e+06 up, two exponent digits at least.
  const [mantissa, exp] = n.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n);
}
