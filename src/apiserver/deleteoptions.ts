// DeleteOptions from a DELETE request: its body (JSON, YAML or protobuf) and its query, decoded as the typed
// Go struct would be. A body that does not decode changes nothing: the request is a 400.

import { badRequest, fieldInvalid, fieldNotSupported, invalid, type FieldError } from '../machinery/errors.js';
import { schemaTypeError } from '../api/openapi/typecheck.js';
import type { DeleteOptions } from '../registry/options.js';

const POLICIES = ['Foreground', 'Background', 'Orphan'];
/** The latest deletionTimestamp metav1.Time can encode (Go's RFC 3339 marshalling stops at year 9999). */
const MAX_DEADLINE_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

const DELETE_OPTIONS_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';

/** A decoded DeleteOptions body, checked against its type as the Go decoder would; null leaves a field unset. */
export function checkDeleteOptionsBody(body: unknown): DeleteOptions {
  const typeError = schemaTypeError(DELETE_OPTIONS_SCHEMA, body);
  if (typeError) throw badRequest(typeError);
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body as Record<string, unknown>)) if (value !== null) out[field] = value;
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
