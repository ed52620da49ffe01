// Generates dist/api/openapi/definitions.json: the OpenAPI 3 component schemas of every Kubernetes
// type, named as the real kube-apiserver names them, derived from the kubernetes-types .d.ts files
// (fields, optionality, literal apiVersion/kind, and the upstream field documentation as JSDoc).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const typesDir = path.dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));
const outFile = path.join(root, 'dist/api/openapi/definitions.json');
// Groups kubernetes-types does not ship, declared in its style in this repository.
const localTypesDir = path.join(root, 'src/api/types');

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

// Go packages outside k8s.io/api keep their own OpenAPI name prefixes.
const PACKAGES = {
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
  version: 'io.k8s.apimachinery.pkg.version',
  'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
  'apiregistration/v1': 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1',
};

// Types whose JSON form comes from a custom marshaller, encoded as the real v3 documents do.
const CUSTOM = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
};

const INT_OR_STRING_SCHEMA = {
  description:
    'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
  format: 'int-or-string',
  oneOf: [{ type: 'integer' }, { type: 'string' }],
};

const ref = (name) => ({ $ref: `#/components/schemas/${name}` });

function packageOf(moduleKey) {
  return PACKAGES[moduleKey] ?? `io.k8s.api.${moduleKey.replaceAll('/', '.')}`;
}

function listModules(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : listModules(path.join(dir, e.name), `${prefix}${e.name}/`);
    return e.name.endsWith('.d.ts') ? [`${prefix}${e.name.slice(0, -'.d.ts'.length)}`] : [];
  });
}

function docOf(node, text) {
  const docs = node.jsDoc;
  if (!docs?.length) return undefined;
  const doc = docs[docs.length - 1];
  const body = text.slice(doc.pos, doc.end).replace(/^\/\*\*/, '').replace(/\*\/$/, '');
  const cleaned = body.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim();
  return cleaned || undefined;
}

function withDescription(schema, description) {
  if (!description) return schema;
  return schema.$ref ? { allOf: [schema], description } : { ...schema, description };
}

/** Resolves a type name used in a module to its OpenAPI schema name. */
function resolver(moduleKey, sourceFile) {
  const names = new Map();
  for (const stmt of sourceFile.statements) {
    if (ts.isImportDeclaration(stmt)) {
      const spec = stmt.moduleSpecifier.text;
      const from = spec.startsWith('kubernetes-types/')
        ? spec.slice('kubernetes-types/'.length)
        : path.posix.normalize(path.posix.join(path.posix.dirname(moduleKey), spec));
      for (const el of stmt.importClause?.namedBindings?.elements ?? []) {
        names.set(el.name.text, `${packageOf(from)}.${(el.propertyName ?? el.name).text}`);
      }
    } else if ((ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) && stmt.name) {
      names.set(stmt.name.text, `${packageOf(moduleKey)}.${stmt.name.text}`);
    }
  }
  return (name) => {
    const full = names.get(name);
    if (!full) throw new Error(`${moduleKey}: cannot resolve type ${name}`);
    return full;
  };
}

function isIntOrString(union) {
  const kinds = union.types.map((t) => t.kind);
  return kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword);
}

function typeSchema(node, resolve, where) {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
    case ts.SyntaxKind.LiteralType:
      return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'integer', format: 'int32' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.ParenthesizedType:
      return typeSchema(node.type, resolve, where);
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: typeSchema(node.elementType, resolve, where) };
    case ts.SyntaxKind.TypeReference: {
      const name = node.typeName.text;
      if (name === 'Array') return { type: 'array', items: typeSchema(node.typeArguments[0], resolve, where) };
      return ref(resolve(name));
    }
    case ts.SyntaxKind.TypeLiteral: {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      if (index && node.members.length === 1) return { type: 'object', additionalProperties: typeSchema(index.type, resolve, where) };
      break;
    }
    case ts.SyntaxKind.UnionType:
      // kubernetes-types inlines IntOrString as `number | string`; other unions (apiextensions' JSONSchemaPropsOr*)
      // carry no type upstream either.
      return isIntOrString(node) ? ref(INT_OR_STRING) : {};
  }
  throw new Error(`${where}: unsupported type syntax ${ts.SyntaxKind[node.kind]}`);
}

function literalOf(member) {
  const t = member?.type;
  return t && ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined;
}

// kubernetes-types spells every Go integer `number`; these fields are int64 in k8s.io/api and apimachinery
// (the same name is int64 wherever it occurs), so their schemas say so, as the real documents do.
const INT64_FIELDS = new Set([
  'activeDeadlineSeconds',
  'deletionGracePeriodSeconds',
  'expirationSeconds',
  'fsGroup',
  'generation',
  'gracePeriodSeconds',
  'observedGeneration',
  'remainingItemCount',
  'revision',
  'runAsGroup',
  'runAsUser',
  'startingDeadlineSeconds',
  'supplementalGroups',
  'terminationGracePeriodSeconds',
  'tolerationSeconds',
]);

function widenInt64(name, schema) {
  if (!INT64_FIELDS.has(name)) return schema;
  if (schema.format === 'int32') return { ...schema, format: 'int64' };
  if (schema.items?.format === 'int32') return { ...schema, items: { ...schema.items, format: 'int64' } };
  return schema;
}

function interfaceSchema(decl, text, resolve, where) {
  const properties = {};
  const required = [];
  const members = new Map();
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m)) throw new Error(`${where}: unsupported member ${ts.SyntaxKind[m.kind]}`);
    const name = m.name.text;
    members.set(name, m);
    properties[name] = withDescription(widenInt64(name, typeSchema(m.type, resolve, `${where}.${name}`)), docOf(m, text));
    if (!m.questionToken) required.push(name);
  }
  const schema = { type: 'object' };
  if (members.size) schema.properties = properties;
  if (required.length) schema.required = required;
  const apiVersion = literalOf(members.get('apiVersion'));
  const kind = literalOf(members.get('kind'));
  if (apiVersion && kind) {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    schema['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
  }
  return schema;
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
}

export function generate() {
  const definitions = { [INT_OR_STRING]: INT_OR_STRING_SCHEMA };
  const modules = [...listModules(typesDir).map((m) => [typesDir, m]), ...listModules(localTypesDir).map((m) => [localTypesDir, m])];
  for (const [dir, moduleKey] of modules) {
    const text = readFileSync(path.join(dir, `${moduleKey}.d.ts`), 'utf8');
    const sf = ts.createSourceFile(`${moduleKey}.d.ts`, text, ts.ScriptTarget.Latest, false);
    const resolve = resolver(moduleKey, sf);
    for (const stmt of sf.statements) {
      if (!ts.isInterfaceDeclaration(stmt) && !ts.isTypeAliasDeclaration(stmt)) continue;
      const name = `${packageOf(moduleKey)}.${stmt.name.text}`;
      const where = `${moduleKey}.${stmt.name.text}`;
      const schema = ts.isInterfaceDeclaration(stmt)
        ? interfaceSchema(stmt, text, resolve, where)
        : CUSTOM[name] ?? typeSchema(stmt.type, resolve, where);
      definitions[name] = withDescription(schema, docOf(stmt, text));
    }
  }
  for (const [name, schema] of Object.entries(definitions)) {
    for (const m of JSON.stringify(schema).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (!definitions[m[1]]) throw new Error(`${name} refers to undefined schema ${m[1]}`);
    }
  }
  return sortKeys(definitions);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const definitions = generate();
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, JSON.stringify(definitions));
  } catch (e) {
    console.error(`gen-openapi: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}
