// The encoded /openapi/v2 document read back with protobufjs through the subset of gnostic's OpenAPIv2.proto
// that it uses: the decoded definitions must equal the JSON document's.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { swaggerDocument } from '../../api/openapi/v2.js';
import type { Schema } from '../../api/openapi/definitions.js';
import { encodeSwagger } from './gnostic.js';

const PROTO = `
syntax = "proto3";
package openapi.v2;
message Any { string yaml = 2; }
message NamedAny { string name = 1; Any value = 2; }
message Info { string title = 1; string version = 2; }
message Paths { repeated NamedAny vendor_extension = 1; }
message NamedSchema { string name = 1; Schema value = 2; }
message Definitions { repeated NamedSchema additional_properties = 1; }
message Properties { repeated NamedSchema additional_properties = 1; }
message AdditionalPropertiesItem { oneof oneof { Schema schema = 1; bool boolean = 2; } }
message TypeItem { repeated string value = 1; }
message ItemsItem { repeated Schema schema = 1; }
message StringArray { repeated string value = 1; }
message NamedStringArray { string name = 1; StringArray value = 2; }
message SecurityRequirement { repeated NamedStringArray additional_properties = 1; }
message ApiKeySecurity { string type = 1; string name = 2; string in = 3; string description = 4; }
message SecurityDefinitionsItem { oneof oneof { ApiKeySecurity api_key_security = 2; } }
message NamedSecurityDefinitionsItem { string name = 1; SecurityDefinitionsItem value = 2; }
message SecurityDefinitions { repeated NamedSecurityDefinitionsItem additional_properties = 1; }
message Schema {
  string _ref = 1; string format = 2; string description = 4; repeated string required = 19;
  AdditionalPropertiesItem additional_properties = 21; TypeItem type = 22; ItemsItem items = 23;
  repeated Schema all_of = 24; Properties properties = 25; repeated NamedAny vendor_extension = 31;
}
message Document {
  string swagger = 1; Info info = 2; Paths paths = 8; Definitions definitions = 9;
  repeated SecurityRequirement security = 12; SecurityDefinitions security_definitions = 13;
}
`;

/** The parts of protobufjs' decoded gnostic messages this test reads. */
interface NamedSchema {
  name: string;
  value: Decoded;
}

interface Decoded {
  _ref?: string;
  format?: string;
  description?: string;
  required?: string[];
  additionalProperties?: { schema?: Decoded; boolean?: boolean };
  type?: { value: string[] };
  items?: { schema: Decoded[] };
  allOf?: Decoded[];
  properties?: { additionalProperties: NamedSchema[] };
  vendorExtension?: Array<{ name: string; value: { yaml: string } }>;
}

interface DecodedDocument {
  swagger: string;
  info: unknown;
  definitions: { additionalProperties: NamedSchema[] };
  securityDefinitions: { additionalProperties: Array<{ value: { apiKeySecurity: unknown } }> };
}

function toJSONSchema(s: Decoded): Schema {
  const out: Record<string, unknown> = {};
  if (s._ref) out.$ref = s._ref;
  if (s.format) out.format = s.format;
  if (s.description) out.description = s.description;
  if (s.required?.length) out.required = s.required;
  if (s.additionalProperties) {
    const a = s.additionalProperties;
    out.additionalProperties = a.schema ? toJSONSchema(a.schema) : a.boolean;
  }
  if (s.type) out.type = s.type.value[0];
  if (s.items) out.items = toJSONSchema(s.items.schema[0]);
  if (s.allOf?.length) out.allOf = s.allOf.map(toJSONSchema);
  if (s.properties) out.properties = Object.fromEntries(s.properties.additionalProperties.map((n) => [n.name, toJSONSchema(n.value)]));
  for (const ext of s.vendorExtension ?? []) out[ext.name] = JSON.parse(ext.value.yaml);
  return out as Schema;
}

test('the gnostic protobuf document decodes to the JSON document', () => {
  const json = swaggerDocument();
  const Document = protobuf.parse(PROTO).root.lookupType('openapi.v2.Document');
  const decoded = Document.toObject(Document.decode(encodeSwagger(json)), { defaults: false, oneofs: false }) as DecodedDocument;
  assert.equal(decoded.swagger, '2.0');
  assert.deepEqual(decoded.info, json.info);
  const defs = Object.fromEntries(decoded.definitions.additionalProperties.map((n) => [n.name, toJSONSchema(n.value)]));
  assert.deepEqual(defs, json.definitions);
  assert.deepEqual(decoded.securityDefinitions.additionalProperties[0].value.apiKeySecurity, { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' });
});

test('v2 definitions reference #/definitions and type int-or-string as a string', () => {
  const defs = swaggerDocument().definitions;
  assert.deepEqual(defs['io.k8s.api.apps.v1.StatefulSet'].properties!.spec, {
    $ref: '#/definitions/io.k8s.api.apps.v1.StatefulSetSpec',
    description: 'Spec defines the desired identities of pods in this set.',
  });
  const intOrString = defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  assert.equal(intOrString.type, 'string');
  assert.equal(intOrString.format, 'int-or-string');
  assert.equal(intOrString.oneOf, undefined);
  assert.doesNotMatch(JSON.stringify(defs), /#\/components\/schemas/);
  assert.deepEqual(defs['io.k8s.api.apps.v1.StatefulSet']['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'StatefulSet', version: 'v1' }]);
});
