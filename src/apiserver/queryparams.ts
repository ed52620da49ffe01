// Query parameters decoded as the real server's parameter codec does (strconv.ParseInt, strconv.ParseBool).

import { badRequest } from '../machinery/errors.js';

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(n)) throw badRequest(`${name}: Invalid value: "${v}": must be an integer`);
  return n;
}

const TRUE_VALUES = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE_VALUES = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** A boolean query parameter as Go's strconv.ParseBool reads it (the Python client sends `watch=True`). */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === '') return false;
  if (TRUE_VALUES.includes(v)) return true;
  if (FALSE_VALUES.includes(v)) return false;
  throw badRequest(`${name}: Invalid value: "${v}": strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}
