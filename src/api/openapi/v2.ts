// The Swagger 2.0 document at /openapi/v2: every definition in one document, as the real server serves it
// to clients that still validate with v2 (kubectl's client-side validation of `kind: List` files).
import { definitions, REF_PREFIX, type Schema } from './definitions.js';
import { metaKinds } from './documents.js';

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, never>;
  definitions: Record<string, Schema>;
  securityDefinitions: { BearerToken: { description: string; in: string; name: string; type: string } };
  security: Array<{ BearerToken: string[] }>;
}

const V2_REF_PREFIX = '#/definitions/';

/**
 * v3 wraps a described reference as `allOf: [{$ref}]` and spells int-or-string and quantities as `oneOf`;
 * v2 (and kube-openapi's v2 parser, which ignores allOf and oneOf) puts `$ref` beside the description and
 * types both as strings.
 */
export function toV2(schema: Schema): Schema {
  const { allOf, oneOf, properties, items, additionalProperties, $ref, ...rest } = schema;
  const out: Schema = { ...rest };
  const ref = $ref ?? (allOf?.length === 1 ? allOf[0].$ref : undefined);
  if (ref) out.$ref = V2_REF_PREFIX + ref.slice(REF_PREFIX.length);
  else if (allOf) out.allOf = allOf.map(toV2);
  if (oneOf) out.type = 'string';
  if (properties) out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, toV2(v)]));
  if (items) out.items = toV2(items);
  if (additionalProperties !== undefined) {
    out.additionalProperties = typeof additionalProperties === 'boolean' ? additionalProperties : toV2(additionalProperties);
  }
  return out;
}

let cached: SwaggerDocument | undefined;

export function swaggerDocument(): SwaggerDocument {
  if (cached) return cached;
  const kinds = metaKinds();
  const defs = Object.entries(definitions())
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, schema]): [string, Schema] => {
      const gvks = kinds[name];
      return [name, toV2(gvks ? { ...schema, 'x-kubernetes-group-version-kind': gvks } : schema)];
    });
  cached = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths: {},
    definitions: Object.fromEntries(defs),
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
    security: [{ BearerToken: [] }],
  };
  return cached;
}
