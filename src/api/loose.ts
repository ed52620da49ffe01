import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

// The shape of a decoded, schema-checked object: every field kubernetes-types marks required may still be
// missing (validators see objects before defaulting; printers and defaulters must not assume them), and
// nothing is readonly (defaulters fill status and metadata in place).

export type Loose<T> = T extends ReadonlyArray<infer U>
  ? Array<Loose<U>>
  : T extends object
    ? string extends keyof T
      ? { [key: string]: Loose<T[string & keyof T]> }
      : { -readonly [K in keyof T]?: Loose<T[K]> }
    : T;

/** What every stored object has; code for one kind reads that kind's fields through its own type. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** An object of any kind, as kind-keyed tables (printers, defaulters) receive it: its kind's own fields are open JSON. */
export type StoredObject = Loose<KubeObject> & { [field: string]: unknown };
