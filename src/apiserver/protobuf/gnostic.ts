// The Swagger document as gnostic's openapi_v2.Document protobuf, the form client-go's discovery client asks
// for (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`). Field numbers are those of gnostic's
// OpenAPIv2.proto; vendor extensions carry their value as YAML text (JSON is YAML), as gnostic does.
import type { Schema } from '../../api/openapi/definitions.js';
import type { SwaggerDocument } from '../../api/openapi/v2.js';
import { WireWriter } from './wire.js';

const namedAny = (w: WireWriter, field: number, name: string, value: unknown) =>
  w.message(field, (n) => n.string(1, name).message(2, (any) => any.string(2, JSON.stringify(value))));

function schema(w: WireWriter, s: Schema): void {
  if (s.$ref) w.string(1, s.$ref);
  if (s.format) w.string(2, s.format);
  if (s.description) w.string(4, s.description);
  for (const r of s.required ?? []) w.string(19, r);
  const additional = s.additionalProperties;
  if (additional !== undefined) {
    w.message(21, (a) => (typeof additional === 'boolean' ? a.bool(2, additional) : a.message(1, (x) => schema(x, additional))));
  }
  if (s.type) w.message(22, (t) => t.string(1, s.type!));
  const items = s.items;
  if (items) w.message(23, (i) => i.message(1, (x) => schema(x, items)));
  for (const sub of s.allOf ?? []) w.message(24, (x) => schema(x, sub));
  const properties = s.properties;
  if (properties) {
    w.message(25, (p) => {
      for (const [name, sub] of Object.entries(properties)) p.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, sub)));
    });
  }
  if (s['x-kubernetes-group-version-kind']) namedAny(w, 31, 'x-kubernetes-group-version-kind', s['x-kubernetes-group-version-kind']);
}

export function encodeSwagger(doc: SwaggerDocument): Buffer {
  const w = new WireWriter();
  w.string(1, doc.swagger);
  w.message(2, (info) => info.string(1, doc.info.title).string(2, doc.info.version));
  w.message(8, () => {});
  w.message(9, (defs) => {
    for (const [name, s] of Object.entries(doc.definitions)) defs.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, s)));
  });
  for (const requirement of doc.security) {
    w.message(12, (r) => {
      for (const [name, scopes] of Object.entries(requirement)) {
        r.message(1, (n) => n.string(1, name).message(2, (a) => scopes.forEach((s) => a.string(1, s))));
      }
    });
  }
  const key = doc.securityDefinitions.BearerToken;
  w.message(13, (sd) =>
    sd.message(1, (n) =>
      n.string(1, 'BearerToken').message(2, (item) => item.message(2, (k) => k.string(1, key.type).string(2, key.name).string(3, key.in).string(4, key.description))),
    ),
  );
  return w.finish();
}
