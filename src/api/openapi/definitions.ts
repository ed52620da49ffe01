// The generated component schemas (scripts/gen-openapi.mjs writes definitions.json beside this module).
import { readFileSync } from 'node:fs';
import { packageFile } from '../../machinery/packagefiles.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface Schema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
}

export const REF_PREFIX = '#/components/schemas/';

let loaded: { schemas: Record<string, Schema>; byGVK: Map<string, string> } | undefined;

const gvkKey = (g: GroupVersionKind) => `${g.group}/${g.version}/${g.kind}`;

function load() {
  if (loaded) return loaded;
  const file = packageFile('dist', 'api', 'openapi', 'definitions.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} is missing: run \`node scripts/gen-openapi.mjs\` after tsc (npm run build)`);
  }
  const schemas = JSON.parse(text) as Record<string, Schema>;
  const byGVK = new Map<string, string>();
  for (const [name, s] of Object.entries(schemas)) {
    for (const g of s['x-kubernetes-group-version-kind'] ?? []) byGVK.set(gvkKey(g), name);
  }
  loaded = { schemas, byGVK };
  return loaded;
}

/** Every component schema, keyed by its Kubernetes name (`io.k8s.api.apps.v1.StatefulSet`). */
export function definitions(): Record<string, Schema> {
  return load().schemas;
}

/** The schema name of a top-level kind, e.g. apps/v1 StatefulSet → io.k8s.api.apps.v1.StatefulSet. */
export function schemaNameFor(gvk: GroupVersionKind): string | undefined {
  return load().byGVK.get(gvkKey(gvk));
}

export function refTo(name: string): Schema {
  return { $ref: `${REF_PREFIX}${name}` };
}

/** The schema a `$ref`, or a description-carrying `allOf:[{$ref}]`, points at; otherwise the schema itself. */
export function resolve(schema: Schema): Schema {
  let s = schema;
  for (;;) {
    if (s.$ref) s = definitions()[s.$ref.slice(REF_PREFIX.length)] ?? {};
    else if (s.allOf?.length === 1 && !s.properties) s = s.allOf[0];
    else return s;
  }
}
