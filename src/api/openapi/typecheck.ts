// Field type checking: the errors the real server's JSON decoder (sigs.k8s.io/json over encoding/json) reports
// when a body does not fit the typed Go structs, found by walking the body against the kind's OpenAPI schema.
import { badRequest, type StatusError } from '../../machinery/errors.js';
import { definitions, REF_PREFIX, schemaNameFor, type Schema } from './definitions.js';

/** How a schema decodes in Go; compiled once per schema object. */
type Node =
  | { k: 'any' }
  | { k: 'string' | 'bool' | 'float' | 'bytes' | 'intOrString' | 'quantity' | 'time'; go: string }
  | { k: 'int'; go: string; min: number; max: number }
  | { k: 'struct'; go: string; name: string; props: Record<string, Schema> }
  | { k: 'map' | 'slice'; go: string; elem: Schema };

const INT32 = { min: -2147483648, max: 2147483647 };
// 2^63 - 1 has no double; a JSON number that large already parses to 2^63.
const INT64 = { min: -(2 ** 63), max: 2 ** 63 };
// The walk follows the schema, so only recursive schemas (JSONSchemaProps) go deep; past this depth the
// rest is not checked rather than risking the stack.
const MAX_DEPTH = 500;
const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SPECIAL: Record<string, Node> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { k: 'intOrString', go: 'intstr.IntOrString' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { k: 'quantity', go: 'resource.Quantity' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { k: 'time', go: 'v1.Time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { k: 'time', go: 'v1.MicroTime' },
};

// map[string][]byte fields whose generated schema lacks upstream's `format: byte`.
const BYTE_MAPS: Record<string, string> = { 'io.k8s.api.core.v1.Secret': 'data', 'io.k8s.api.core.v1.ConfigMap': 'binaryData' };
const BYTE_MAP: Schema = { type: 'object', additionalProperties: { type: 'string', format: 'byte' } };

const compiled = new WeakMap<Schema, Node>();

function compile(schema: Schema): Node {
  let n = compiled.get(schema);
  if (!n) {
    n = build(schema);
    compiled.set(schema, n);
  }
  return n;
}

/** A named Go type from a schema name: io.k8s.api.core.v1.PodSpec → v1.PodSpec. */
function goName(name: string): string {
  const parts = name.split('.');
  return parts.slice(-2).join('.');
}

function build(schema: Schema): Node {
  if (schema.$ref) {
    const name = schema.$ref.slice(REF_PREFIX.length);
    const target = definitions()[name];
    if (SPECIAL[name]) return SPECIAL[name];
    if (!target) return { k: 'any' };
    if (target.properties) {
      const props = BYTE_MAPS[name] ? { ...target.properties, [BYTE_MAPS[name]]: BYTE_MAP } : target.properties;
      return { k: 'struct', go: goName(name), name: name.slice(name.lastIndexOf('.') + 1), props };
    }
    const n = build(target);
    // A named map (v1.ResourceList) keeps its own name; named scalars are printed as their kind.
    return n.k === 'map' && name.endsWith('.ResourceList') ? { ...n, go: goName(name) } : n;
  }
  if (schema.allOf?.length === 1 && !schema.properties) return compile(schema.allOf[0]);
  switch (schema.type) {
    case 'string':
      return schema.format === 'byte' ? { k: 'bytes', go: '[]uint8' } : { k: 'string', go: 'string' };
    case 'boolean':
      return { k: 'bool', go: 'bool' };
    case 'number':
      return { k: 'float', go: 'float64' };
    case 'integer':
      return schema.format === 'int32' ? { k: 'int', go: 'int32', ...INT32 } : { k: 'int', go: 'int64', ...INT64 };
    case 'array':
      return schema.items ? { k: 'slice', go: `[]${goType(schema.items)}`, elem: schema.items } : { k: 'any' };
    case 'object':
      if (schema.properties) return { k: 'struct', go: 'struct', name: '', props: schema.properties };
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        return { k: 'map', go: `map[string]${goType(schema.additionalProperties)}`, elem: schema.additionalProperties };
      return { k: 'any' };
    default:
      return { k: 'any' };
  }
}

function goType(schema: Schema): string {
  const n = compile(schema);
  return n.k === 'any' ? 'interface {}' : n.go;
}

const SCALAR_TYPEOF = { string: 'string', bool: 'boolean', float: 'number' } as const;

const jsonKind = (v: unknown): string =>
  Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v;

/** An error an UnmarshalJSON method returned: it ends decoding at once (unlike type errors, which are saved). */
class Fatal {
  constructor(readonly message: string) {}
}

class Walk {
  saved: string | undefined;
  struct = '';
  readonly fields: string[] = [];

  typeError(value: string, type: string): string {
    const into = this.struct || this.fields.length ? `Go struct field ${this.struct}.${this.fields.join('.')}` : 'Go value';
    return `json: cannot unmarshal ${value} into ${into} of type ${type}`;
  }

  save(value: string, type: string): void {
    this.saved ??= this.typeError(value, type);
  }

  walk(schema: Schema, v: unknown, depth: number): void {
    if (v === null || v === undefined || depth > MAX_DEPTH) return;
    const n = compile(schema);
    switch (n.k) {
      case 'any':
        return;
      case 'string':
      case 'bool':
      case 'float':
        if (typeof v !== SCALAR_TYPEOF[n.k]) this.save(jsonKind(v), n.go);
        return;
      case 'int':
        if (typeof v !== 'number') this.save(jsonKind(v), n.go);
        else if (!Number.isInteger(v) || v < n.min || v > n.max) this.save(`number ${v}`, n.go);
        return;
      case 'bytes':
        if (typeof v !== 'string') this.save(jsonKind(v), n.go);
        else {
          const bad = base64Error(v);
          if (bad !== undefined) this.saved ??= `illegal base64 data at input byte ${bad}`;
        }
        return;
      case 'intOrString':
        if (typeof v === 'string') return;
        if (typeof v !== 'number') throw new Fatal(this.typeError(jsonKind(v), 'int32'));
        if (!Number.isInteger(v) || v < INT32.min || v > INT32.max) throw new Fatal(this.typeError(`number ${v}`, 'int32'));
        return;
      case 'quantity':
        if (typeof v === 'number' || (typeof v === 'string' && QUANTITY.test(v.trim()))) return;
        throw new Fatal(QUANTITY_FORMAT);
      case 'time': {
        if (typeof v !== 'string') throw new Fatal(this.typeError(jsonKind(v), 'string'));
        const bad = rfc3339Error(v);
        if (bad) throw new Fatal(bad);
        return;
      }
      case 'slice':
        if (!Array.isArray(v)) this.save(jsonKind(v), n.go);
        else for (const item of v) this.walk(n.elem, item, depth + 1);
        return;
      case 'map':
        if (typeof v !== 'object' || Array.isArray(v)) this.save(jsonKind(v), n.go);
        else for (const key in v) this.walk(n.elem, (v as Record<string, unknown>)[key], depth + 1);
        return;
      case 'struct': {
        if (typeof v !== 'object' || Array.isArray(v)) {
          this.save(jsonKind(v), n.go);
          return;
        }
        const outer = this.struct;
        for (const key in v) {
          if (!Object.hasOwn(n.props, key)) continue;
          this.fields.push(key);
          this.struct = n.name;
          this.walk(n.props[key], (v as Record<string, unknown>)[key], depth + 1);
          this.fields.pop();
          this.struct = outer;
        }
      }
    }
  }
}

/**
 * The decode error the real server reports for a body whose fields have the wrong JSON types, worded as
 * encoding/json words it (`json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of
 * type string`), or undefined when the body decodes. Like the decoder, the first type error in document order
 * wins unless a custom-decoded field (IntOrString, Quantity, Time) fails, which stops decoding. null is the
 * zero value anywhere. A kind without a schema always decodes.
 */
export function typeErrors(apiVersion: string, kind: string, obj: unknown): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const name = schemaNameFor({ group, version, kind });
  return name ? schemaTypeError(name, obj) : undefined;
}

/** typeErrors for a type named by its schema, for bodies that are no top-level kind (DeleteOptions). */
export function schemaTypeError(name: string, obj: unknown): string | undefined {
  const w = new Walk();
  try {
    w.walk(rootRef(name), obj, 0);
  } catch (e) {
    if (e instanceof Fatal) return e.message;
    throw e;
  }
  return w.saved;
}

const roots = new Map<string, Schema>();

function rootRef(name: string): Schema {
  let s = roots.get(name);
  if (!s) roots.set(name, (s = { $ref: `${REF_PREFIX}${name}` }));
  return s;
}

/** The 400 of apiserver handlers/rest.go transformDecodeError: `ConfigMap in version "v1" cannot be handled as a ConfigMap: <message>`. */
export function decodeError(kind: string, version: string, message: string): StatusError {
  return badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${message}`);
}

/** The byte offset encoding/base64 StdEncoding.Decode reports for a malformed string, or undefined. */
function base64Error(s: string): number | undefined {
  if (B64.test(s)) return undefined;
  const src = Buffer.from(s, 'utf8');
  const nl = (c: number) => c === 10 || c === 13;
  let si = 0;
  for (;;) {
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return undefined;
        return si - j;
      }
      const c = src[si++];
      if (B64_CHAR[c]) continue;
      if (nl(c)) {
        j--;
        continue;
      }
      if (c !== 61 || j < 2) return si - 1;
      if (j === 2) {
        while (si < src.length && nl(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== 61) return si - 1;
        si++;
      }
      while (si < src.length && nl(src[si])) si++;
      return si < src.length ? si : undefined;
    }
  }
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const B64_CHAR = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') B64_CHAR[c.charCodeAt(0)] = 1;

const RFC3339 = '2006-01-02T15:04:05Z07:00';

/** time.Parse(time.RFC3339, s)'s error text, or undefined when s parses. */
function rfc3339Error(s: string): string | undefined {
  const q = JSON.stringify;
  const cannot = (rest: string, elem: string) => `parsing time ${q(s)} as ${q(RFC3339)}: cannot parse ${q(rest)} as ${q(elem)}`;
  const range = (what: string) => `parsing time ${q(s)}: ${what} out of range`;
  let rest = s;
  const num = (elem: string, fixed: boolean, lo: number, hi: number, what: string): string | undefined => {
    const m = (fixed ? /^[0-9]{2}/ : /^[0-9]{1,2}/).exec(rest);
    if (!m) return cannot(rest, elem);
    const v = Number(m[0]);
    rest = rest.slice(m[0].length);
    return v < lo || v > hi ? range(what) : undefined;
  };
  const lit = (c: string) => {
    if (!rest.startsWith(c)) return cannot(rest, c);
    rest = rest.slice(c.length);
    return undefined;
  };
  if (!/^[0-9]{4}/.test(rest)) return cannot(rest, '2006');
  const year = Number(rest.slice(0, 4));
  rest = rest.slice(4);
  const monthAt = rest;
  const steps: (() => string | undefined)[] = [
    () => lit('-'),
    () => num('01', true, 1, 12, 'month'),
    () => lit('-'),
    () => num('02', true, 0, 31, 'day'),
    () => lit('T'),
    () => num('15', false, 0, 23, 'hour'),
    () => lit(':'),
    () => num('04', true, 0, 59, 'minute'),
    () => lit(':'),
    () => num('05', true, 0, 59, 'second'),
  ];
  for (const step of steps) {
    const err = step();
    if (err) return err;
  }
  const frac = /^[.,][0-9]+/.exec(rest);
  if (frac) rest = rest.slice(frac[0].length);
  if (rest.startsWith('Z')) rest = rest.slice(1);
  else {
    const tz = /^([+-])([0-9]{2}):([0-9]{2})/.exec(rest);
    if (!tz) return cannot(rest, 'Z07:00');
    if (Number(tz[2]) > 24) return range('time zone offset hour');
    if (Number(tz[3]) > 60) return range('time zone offset minute');
    rest = rest.slice(6);
  }
  if (rest) return `parsing time ${q(s)}: extra text: ${q(rest)}`;
  const month = Number(monthAt.slice(1, 3));
  const day = Number(monthAt.slice(4, 6));
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day < 1 || day > days ? range('day') : undefined;
}
