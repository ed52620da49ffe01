// The shape of patch metadata: what the apiserver reads from Go struct tags (`patchStrategy`,
// `patchMergeKey`) when it applies a strategic merge patch. The per-kind tables live in
// src/api/patchmeta.ts; this module only defines the shape so the engine does not depend on api/.

/** Patch metadata of one JSON field. */
export interface FieldPatchMeta {
  /**
   * `merge` on a list: merge elements by `mergeKey`, or as a set when the elements are primitives.
   * `replace` on a map: the patch value replaces the map whole.
   * Absent: maps merge recursively and lists are replaced atomically.
   */
  readonly strategy?: 'merge' | 'replace';
  /**
   * The `retainKeys` strategy: kubectl sends `$retainKeys` for such fields. The engine, like
   * upstream, honours a `$retainKeys` directive wherever it appears, so this flag only records the tag.
   */
  readonly retainKeys?: boolean;
  readonly mergeKey?: string;
  /** The struct the field holds; for a list, the struct of each element. */
  readonly schema?: PatchSchema;
}

/** A struct's fields by JSON name. Fields not listed carry no patch metadata. */
export type PatchSchema = { readonly [jsonField: string]: FieldPatchMeta };

const NO_META: FieldPatchMeta = {};

export function fieldPatchMeta(schema: PatchSchema | undefined, field: string): FieldPatchMeta {
  return schema !== undefined && Object.hasOwn(schema, field) ? schema[field] : NO_META;
}
