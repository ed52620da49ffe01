// Server-side field validation (fieldValidation=Strict|Warn): the unknown fields the real strict JSON decoder
// (sigs.k8s.io/json) reports for a body, found by walking it against the kind's OpenAPI schema.
import { badRequest, type StatusError } from '../../machinery/errors.js';
import { refTo, resolve, schemaNameFor, type Schema } from './definitions.js';

// sigs.k8s.io/json stops collecting strict errors after this many.
const MAX_STRICT_ERRORS = 100;

/**
 * Paths of the fields in obj that the kind's schema does not know, in document order, spelled as the real
 * decoder spells them: `spec.foo`, `spec.template.spec.containers[0].foo`. Map values (labels, resources.limits)
 * accept any key; free-form values (RawExtension, FieldsV1) and custom-decoded scalars (IntOrString, Quantity,
 * Time) accept anything. A kind without a schema yields no findings.
 */
export function unknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const name = schemaNameFor({ group, version, kind });
  if (!name) return [];
  const found = new Set<string>();
  walk(refTo(name), obj, '', found);
  return [...found].slice(0, MAX_STRICT_ERRORS);
}

function walk(schema: Schema, value: unknown, path: string, found: Set<string>): void {
  if (value === null || typeof value !== 'object') return;
  const s = resolve(schema);
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => walk(s.items!, v, `${path}[${i}]`, found));
    return;
  }
  const child = (key: string) => (path ? `${path}.${key}` : key);
  if (s.properties) {
    for (const [key, v] of Object.entries(value)) {
      const field = Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
      if (field) walk(field, v, child(key), found);
      else found.add(child(key));
    }
  } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    for (const [key, v] of Object.entries(value)) walk(s.additionalProperties, v, child(key), found);
  }
}

/** One strict finding as the decoder words it; also the text of a fieldValidation=Warn warning. */
export function unknownFieldMessage(path: string): string {
  return `unknown field ${JSON.stringify(path)}`;
}

/**
 * The 400 BadRequest of a strict create/update (apiserver handlers/rest.go transformDecodeError around
 * runtime.strictDecodingError): `StatefulSet in version "v1" cannot be handled as a StatefulSet: strict
 * decoding error: unknown field "spec.foo", unknown field "spec.bar"`.
 */
export function strictDecodingError(kind: string, version: string, fields: string[]): StatusError {
  const errors = fields.map(unknownFieldMessage).join(', ');
  return badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: strict decoding error: ${errors}`);
}
