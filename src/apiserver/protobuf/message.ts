// Decodes a go-to-protobuf message into the JSON form the API uses, the form Go's encoding/json would
// give the same Go struct: JSON field names, omitempty zero values dropped, embedded structs inlined,
// and apimachinery's own JSON forms for Time, MicroTime, IntOrString, Quantity, RawExtension, FieldsV1.

import { message, META_V1, type FieldInfo, type MessageInfo } from './schema.js';
import { LEN, VARINT, WireError, WireReader } from './wire.js';
import { microTime, time } from './time.js';

type Decoder = (r: WireReader) => unknown;

const VARINT_TYPES = new Set(['int32', 'int64', 'bool']);
const SCALARS = new Set([...VARINT_TYPES, 'string', 'bytes']);

/** Types with their own JSON form; `undefined` is Go's zero value, written as null (and so dropped). */
const SPECIAL: Record<string, Decoder> = {
  [`${META_V1}.Time`]: (r) => time(...secondsNanos(r)),
  [`${META_V1}.MicroTime`]: (r) => microTime(...secondsNanos(r)),
  [`${META_V1}.FieldsV1`]: rawJSON,
  'k8s.io.apimachinery.pkg.runtime.RawExtension': rawJSON,
  'k8s.io.apimachinery.pkg.api.resource.Quantity': (r) => {
    let quantity = '';
    readFields(r, (no, wire) => no === 1 && wire === LEN && ((quantity = r.string()), true));
    return quantity;
  },
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': (r) => {
    let type = 0;
    let intVal = 0;
    let strVal = '';
    readFields(r, (no, wire) => {
      if (no === 1 && wire === VARINT) type = r.int64();
      else if (no === 2 && wire === VARINT) intVal = r.int32();
      else if (no === 3 && wire === LEN) strVal = r.string();
      else return false;
      return true;
    });
    return type === 1 ? strVal : intVal;
  },
};

/** Decodes the message `type` held in buf. */
export function decodeMessage(type: string, buf: Buffer): Record<string, unknown> {
  return decodeStruct(message(type), new WireReader(buf));
}

/** Calls read(number, wire) for each field; fields it does not take (returns false) are skipped, as gogo skips unknown fields. */
function readFields(r: WireReader, read: (no: number, wire: number) => boolean): void {
  while (!r.done()) {
    const [no, wire] = r.key();
    if (!read(no, wire)) r.skip(wire);
  }
}

function secondsNanos(r: WireReader): [number, number] {
  let seconds = 0;
  let nanos = 0;
  readFields(r, (no, wire) => {
    if (no === 1 && wire === VARINT) seconds = r.int64();
    else if (no === 2 && wire === VARINT) nanos = r.int32();
    else return false;
    return true;
  });
  return [seconds, nanos];
}

function rawJSON(r: WireReader): unknown {
  let raw: Buffer | undefined;
  readFields(r, (no, wire) => no === 1 && wire === LEN && ((raw = r.bytes()), true));
  if (!raw?.length) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new WireError(`embedded raw object is not JSON: ${(e as Error).message}`);
  }
}

function decodeStruct(info: MessageInfo, r: WireReader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  readFields(r, (no, wire) => {
    const field = info.fields.get(no);
    if (!field) return false;
    readField(info, field, wire, r, out);
    return true;
  });
  return out;
}

function readField(info: MessageInfo, field: FieldInfo, wire: number, r: WireReader, out: Record<string, unknown>): void {
  if (field.mapKey) {
    const [key, value] = readMapEntry(info, field, nested(info, field, wire, r));
    ((out[field.name] ??= {}) as Record<string, unknown>)[key] = value;
    return;
  }
  if (field.mode === 'repeated') {
    const list = (out[field.name] ??= []) as unknown[];
    if (wire === LEN && VARINT_TYPES.has(field.type)) {
      const packed = nested(info, field, wire, r);
      while (!packed.done()) list.push(readValue(info, field, VARINT, packed));
    } else list.push(readValue(info, field, wire, r));
    return;
  }
  const value = readValue(info, field, wire, r);
  if (field.mode === 'inline') Object.assign(out, value);
  else if (keep(field, value)) out[field.name] = value;
}

/** Which decoded values Go's encoding/json writes: omitempty drops the zero of a scalar Go value, never a struct. */
function keep(field: FieldInfo, value: unknown): boolean {
  if (value === undefined) return false;
  if (field.mode !== 'value' || !SCALARS.has(field.type)) return true;
  return value !== '' && value !== 0 && value !== false;
}

/** A reader over the payload of a length-delimited field. */
function nested(info: MessageInfo, field: FieldInfo, wire: number, r: WireReader): WireReader {
  if (wire !== LEN) throw wrongWire(info, field, wire);
  const [start, end] = r.span();
  return new WireReader(r.buf, start, end);
}

function readValue(info: MessageInfo, field: FieldInfo, wire: number, r: WireReader): unknown {
  if (VARINT_TYPES.has(field.type)) {
    if (wire !== VARINT) throw wrongWire(info, field, wire);
    return field.type === 'int32' ? r.int32() : field.type === 'int64' ? r.int64() : r.bool();
  }
  if (wire !== LEN) throw wrongWire(info, field, wire);
  if (field.type === 'string') return r.string();
  if (field.type === 'bytes') return r.bytes().toString('base64');
  const inner = nested(info, field, wire, r);
  const special = SPECIAL[field.type];
  return special ? special(inner) : decodeStruct(message(field.type), inner);
}

function readMapEntry(info: MessageInfo, field: FieldInfo, r: WireReader): [string, unknown] {
  let key = '';
  let value: unknown;
  readFields(r, (no, wire) => {
    if (no === 1) {
      if (wire !== LEN) throw wrongWire(info, field, wire);
      key = r.string();
    } else if (no === 2) value = readValue(info, field, wire, r);
    else return false;
    return true;
  });
  if (value !== undefined) return [key, value];
  if (field.type === 'string' || field.type === 'bytes') return [key, ''];
  return [key, field.type.endsWith('.Quantity') ? '0' : null];
}

function wrongWire(info: MessageInfo, field: FieldInfo, wire: number): WireError {
  return new WireError(`proto: wrong wireType = ${wire} for field ${field.name} of ${info.name}`);
}
