// DeleteOptions from a DELETE request: its body (JSON, YAML or protobuf) and its query, decoded as the typed
// Go struct would be. A body that does not decode changes nothing: the request is a 400.

import { badRequest, fieldInvalid, fieldNotSupported, invalid, type FieldError } from '../machinery/errors.js';
import { isPlainObject } from '../machinery/objects.js';
import type { DeleteOptions } from '../registry/options.js';

const POLICIES = ['Foreground', 'Background', 'Orphan'];
/** The latest deletionTimestamp metav1.Time can encode (Go's RFC 3339 marshalling stops at year 9999). */
const MAX_DEADLINE_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

type GoType = 'string' | 'int64' | 'bool' | '[]string';

const FIELDS: Record<string, GoType> = {
  kind: 'string',
  apiVersion: 'string',
  gracePeriodSeconds: 'int64',
  orphanDependents: 'bool',
  propagationPolicy: 'string',
  dryRun: '[]string',
};

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

function unmarshalError(value: unknown, field: string, type: string): never {
  const what = typeof value === 'number' ? `number ${value}` : jsonKind(value);
  throw badRequest(`json: cannot unmarshal ${what} into Go struct field DeleteOptions.${field} of type ${type}`);
}

function fits(value: unknown, type: GoType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'int64':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case '[]string':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' || v === null);
  }
}

/** Check a decoded DeleteOptions body field by field; null leaves a field unset, as in Go. */
export function checkDeleteOptionsBody(body: unknown): DeleteOptions {
  if (!isPlainObject(body)) throw badRequest(`json: cannot unmarshal ${jsonKind(body)} into Go value of type v1.DeleteOptions`);
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    if (value === null) continue;
    if (field === 'preconditions') {
      if (!isPlainObject(value)) unmarshalError(value, field, 'v1.Preconditions');
      for (const [k, v] of Object.entries(value)) {
        if ((k === 'uid' || k === 'resourceVersion') && v !== null && typeof v !== 'string') unmarshalError(v, `preconditions.${k}`, 'string');
      }
      out.preconditions = value;
      continue;
    }
    const type = FIELDS[field];
    if (!type) continue;
    if (!fits(value, type)) unmarshalError(value, field, type === 'int64' && typeof value === 'number' && Number.isInteger(value) ? 'int64' : type);
    out[field] = value;
  }
  return out as DeleteOptions;
}

/** Merge the query's options over the body's and check them as ValidateDeleteOptions does. */
export function finishDeleteOptions(opts: DeleteOptions, query: { gracePeriodSeconds?: number; propagationPolicy?: string }, now: number): DeleteOptions {
  if (query.gracePeriodSeconds !== undefined) opts.gracePeriodSeconds = query.gracePeriodSeconds;
  if (query.propagationPolicy) opts.propagationPolicy = query.propagationPolicy as DeleteOptions['propagationPolicy'];
  // ValidateDeleteOptions (apis/meta/v1/validation): a 422 on the DeleteOptions kind.
  const errs: FieldError[] = [];
  if (opts.orphanDependents !== undefined && opts.propagationPolicy)
    errs.push(fieldInvalid('propagationPolicy', opts.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  if (opts.propagationPolicy && !POLICIES.includes(opts.propagationPolicy)) errs.push(fieldNotSupported('propagationPolicy', opts.propagationPolicy, POLICIES));
  if (errs.length) throw invalid('DeleteOptions', 'meta.k8s.io', '', errs);
  const grace = opts.gracePeriodSeconds;
  if (grace !== undefined) {
    if (grace < 0) opts.gracePeriodSeconds = 1;
    else if (now + grace * 1000 > MAX_DEADLINE_MS)
      throw badRequest(`gracePeriodSeconds: Invalid value: ${grace}: the deletion deadline would be after the year 9999`);
  }
  return opts;
}
