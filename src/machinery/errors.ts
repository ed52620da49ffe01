// metav1.Status errors with the codes, reasons and message texts of k8s.io/apimachinery/pkg/api/errors.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** What a resource is called in messages: `statefulsets.apps`, `pods`. */
export interface QualifiedResource {
  group: string;
  plural: string;
}

function qualified(r: QualifiedResource): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

function details(r: QualifiedResource, name: string): StatusDetails {
  const d: StatusDetails = { name };
  if (r.group) d.group = r.group;
  d.kind = r.plural;
  return d;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    // The field order of the real server's encoding, since clients and their tests compare bodies.
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason } as Status;
    if (this.details) s.details = this.details;
    s.code = this.code;
    return s;
  }
}

export function isStatusError(e: unknown, reason?: string): e is StatusError {
  return e instanceof StatusError && (reason === undefined || e.reason === reason);
}

export const notFound = (r: QualifiedResource, name: string) =>
  new StatusError(404, 'NotFound', `${qualified(r)} "${name}" not found`, details(r, name));

export const alreadyExists = (r: QualifiedResource, name: string) =>
  new StatusError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, details(r, name));

export const conflict = (r: QualifiedResource, name: string, why: string) =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, details(r, name));

export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export const optimisticLock = (r: QualifiedResource, name: string) => conflict(r, name, OPTIMISTIC_LOCK_MESSAGE);

export type CauseReason =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueNotFound'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany';

/** One field.Error from k8s.io/apimachinery/pkg/util/validation/field, already rendered. */
export interface FieldError {
  reason: CauseReason;
  field: string;
  /** The text after "<field>: ", e.g. `Invalid value: -1: must be greater than or equal to 0`. */
  message: string;
}

export const fieldInvalid = (field: string, value: unknown, detail: string): FieldError => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${formatValue(value)}: ${detail}`,
});
export const fieldRequired = (field: string, detail = ''): FieldError => ({
  reason: 'FieldValueRequired',
  field,
  message: detail ? `Required value: ${detail}` : 'Required value',
});
export const fieldForbidden = (field: string, detail: string): FieldError => ({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` });
export const fieldDuplicate = (field: string, value: unknown): FieldError => ({ reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${formatValue(value)}` });
export const fieldNotSupported = (field: string, value: unknown, valid: string[]): FieldError => ({
  reason: 'FieldValueNotSupported',
  field,
  message: `Unsupported value: ${formatValue(value)}: supported values: ${valid.map((v) => `"${v}"`).join(', ')}`,
});
export const fieldTooLong = (field: string, value: unknown, max: number): FieldError => ({
  reason: 'FieldValueTooLong',
  field,
  message: `Too long: may not be more than ${max} bytes`,
});

/** field.Error value formatting: strings quoted, numbers bare, objects as Go would print them loosely. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  const q = group ? `${kind}.${group}` : kind;
  const text = errors.map((e) => `${e.field}: ${e.message}`);
  const msg = `${q} "${name}" is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`;
  const d: StatusDetails = { name };
  if (group) d.group = group;
  d.kind = kind;
  d.causes = errors.map((e) => ({ reason: e.reason, message: e.message, field: e.field }));
  return new StatusError(422, 'Invalid', msg, d);
}

export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);
export const unauthorized = (message = 'Unauthorized') => new StatusError(401, 'Unauthorized', message);
export const forbidden = (r: QualifiedResource, name: string, why: string) =>
  new StatusError(403, 'Forbidden', `${qualified(r)}${name ? ` "${name}"` : ''} is forbidden: ${why}`, details(r, name));
export const methodNotAllowed = (verb: string, what: string) =>
  new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${what}"`, {});
export const gone = (message: string) => new StatusError(410, 'Expired', message);
export const unsupportedMediaType = (accepted: string[]) =>
  new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, {});
export const requestEntityTooLarge = (message: string) => new StatusError(413, 'RequestEntityTooLarge', message);
export const tooManyRequests = (message: string, causes?: StatusCause[], retryAfterSeconds?: number) => {
  const d: StatusDetails = {};
  if (causes) d.causes = causes;
  if (retryAfterSeconds) d.retryAfterSeconds = retryAfterSeconds;
  return new StatusError(429, 'TooManyRequests', message, d);
};
export const internalError = (message: string) =>
  new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
export const timeout = (message: string, causes: StatusCause[], retryAfterSeconds: number) =>
  new StatusError(504, 'Timeout', `Timeout: ${message}`, { causes, retryAfterSeconds });
export const resourceNotFound = () => new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
