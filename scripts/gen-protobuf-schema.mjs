// Generates src/apiserver/protobuf/schema/*.json: the compact protobuf schema k8ts uses to decode
// request bodies sent as application/vnd.kubernetes.protobuf.
//
// Source: the proto descriptors of upstream's generated.proto files (kubernetes/api and
// kubernetes/apimachinery, go-to-protobuf, proto2/gogo) as compiled into a kubectl binary. Every gogo
// generated.pb.go registers its gzipped FileDescriptorProto, so a kubectl binary carries the exact
// schema that client sends, including the gogo field options that the published generated.proto
// text has stripped: `(gogoproto.nullable) = false` tells a Go value field from a pointer, which
// decides whether a zero value was set on purpose (`replicas: 0`) or is just Go's zero.
// The vendored files were made from kubectl v1.32.5 (k8s.io/api and k8s.io/apimachinery v0.32.5):
//   node scripts/gen-protobuf-schema.mjs /usr/lib/google-cloud-sdk/bin/kubectl.1.32
// kube-aggregator's apiregistration.k8s.io/v1 is not in kubectl; its schema file is written by hand.
// Whether a value field is required (always written by Go's encoding/json, zero or not) comes from
// the kubernetes-types declarations: a property without `?` has no omitempty upstream.
//
// Output, one file per proto package: { package, apiVersion, kinds, messages: { Name: [[number, jsonName, type, mode?]] } }
// type: a scalar (string, bytes, bool, int32, int64), a fully qualified message name, or map<K,V>.
// mode: repeated | pointer (set only when given, zero kept) | required (zero kept) | inline (fields
// merged into the parent, as Go's `json:",inline"`); none: a Go value whose zero value is omitted.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import protobuf from 'protobufjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'src/apiserver/protobuf/schema');
const typesDir = path.dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));

// The kinds a request body may carry, by apiVersion: every kind in src/api/resources.ts plus the
// bodies of subresources and options, and the kinds `kubectl create` can make.
const KINDS = {
  v1: ['k8s.io.api.core.v1', ['Namespace', 'Pod', 'Binding', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'ServiceAccount',
    'PersistentVolume', 'PersistentVolumeClaim', 'Node', 'Event', 'ResourceQuota', 'LimitRange', 'ReplicationController']],
  'apps/v1': ['k8s.io.api.apps.v1', ['StatefulSet', 'Deployment', 'ReplicaSet', 'DaemonSet', 'ControllerRevision']],
  'batch/v1': ['k8s.io.api.batch.v1', ['Job', 'CronJob']],
  'policy/v1': ['k8s.io.api.policy.v1', ['PodDisruptionBudget', 'Eviction']],
  'rbac.authorization.k8s.io/v1': ['k8s.io.api.rbac.v1', ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']],
  'networking.k8s.io/v1': ['k8s.io.api.networking.v1', ['Ingress', 'IngressClass']],
  'coordination.k8s.io/v1': ['k8s.io.api.coordination.v1', ['Lease']],
  'storage.k8s.io/v1': ['k8s.io.api.storage.v1', ['StorageClass']],
  'discovery.k8s.io/v1': ['k8s.io.api.discovery.v1', ['EndpointSlice']],
  'autoscaling/v1': ['k8s.io.api.autoscaling.v1', ['Scale']],
  'authentication.k8s.io/v1': ['k8s.io.api.authentication.v1', ['TokenRequest', 'TokenReview', 'SelfSubjectReview']],
  'authorization.k8s.io/v1': ['k8s.io.api.authorization.v1', ['SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'LocalSubjectAccessReview']],
  'scheduling.k8s.io/v1': ['k8s.io.api.scheduling.v1', ['PriorityClass']],
  'meta.k8s.io/v1': ['k8s.io.apimachinery.pkg.apis.meta.v1', ['DeleteOptions']],
};
// The envelope every body is wrapped in.
const ENVELOPE = 'k8s.io.apimachinery.pkg.runtime.Unknown';

// Embedded Go structs tagged `json:",inline"` that go-to-protobuf still gives a field of their own.
const INLINE = new Set([
  'k8s.io.api.core.v1.Volume.volumeSource',
  'k8s.io.api.core.v1.PersistentVolumeSpec.persistentVolumeSource',
  'k8s.io.api.core.v1.Probe.handler',
  'k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon',
  'k8s.io.api.networking.v1.IngressRule.ingressRuleValue',
  ...['ConfigMapEnvSource', 'ConfigMapKeySelector', 'ConfigMapProjection', 'ConfigMapVolumeSource',
    'SecretEnvSource', 'SecretKeySelector', 'SecretProjection'].map((m) => `k8s.io.api.core.v1.${m}.localObjectReference`),
]);

// The few proto field names go-to-protobuf derived from the Go name instead of the JSON name.
const RENAME = {
  'k8s.io.api.authentication.v1.BoundObjectReference.uID': 'uid',
  'k8s.io.api.networking.v1.IngressClassParametersReference.aPIGroup': 'apiGroup',
};

const SCALARS = { 3: 'int64', 5: 'int32', 8: 'bool', 9: 'string', 12: 'bytes' };
const NULLABLE = 65001;

/** Reads a message as a list of [fieldNumber, value] (varints as numbers, length-delimited as bytes). */
function fields(bytes) {
  const r = protobuf.Reader.create(bytes);
  const out = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (wire === 0) out.push([tag >>> 3, r.uint64().toNumber()]);
    else if (wire === 2) out.push([tag >>> 3, r.bytes()]);
    else r.skipType(wire);
  }
  return out;
}
const all = (f, no) => f.filter(([n]) => n === no).map(([, v]) => v);
const text = (f, no) => all(f, no).map((v) => Buffer.from(v).toString('utf8'))[0];

function fileDescriptors(binary) {
  const data = readFileSync(binary);
  const gzip = Buffer.from([0x1f, 0x8b, 0x08]);
  const files = new Map();
  for (let i = data.indexOf(gzip); i >= 0; i = data.indexOf(gzip, i + 1)) {
    let file;
    try {
      file = zlib.gunzipSync(data.subarray(i, i + (1 << 21)), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch {
      continue;
    }
    if (file[0] !== 0x0a) continue; // FileDescriptorProto starts with its name (field 1)
    let f;
    try {
      f = fields(file);
    } catch {
      continue;
    }
    const name = text(f, 1);
    if (name?.startsWith('k8s.io/') && name.endsWith('/generated.proto')) files.set(text(f, 2), f);
  }
  return files;
}

/** Every message of every package, by fully qualified name: { fields: [{number, name, type, label, typeName, nullable}], mapEntry }. */
function messagesOf(files) {
  const messages = new Map();
  const add = (prefix, m) => {
    const f = fields(m);
    const name = `${prefix}.${text(f, 1)}`;
    const opts = all(f, 7).flatMap(fields);
    messages.set(name, {
      mapEntry: opts.some(([n, v]) => n === 7 && v === 1),
      fields: all(f, 2).map((fd) => {
        const d = fields(fd);
        const options = all(d, 8).flatMap(fields);
        return {
          number: all(d, 3)[0],
          name: text(d, 1),
          label: all(d, 4)[0],
          type: all(d, 5)[0],
          typeName: text(d, 6)?.slice(1),
          nullable: !options.some(([n, v]) => n === NULLABLE && v === 0),
        };
      }),
    });
    for (const nested of all(f, 3)) add(name, nested);
  };
  for (const [pkg, f] of files) for (const m of all(f, 4)) add(pkg, m);
  return messages;
}

/** Property names of each kubernetes-types interface, and which of them are required. */
function typescriptShapes(pkg) {
  const m = /^k8s\.io\.(?:api\.(\w+)|apimachinery\.pkg\.apis\.(meta))\.(v\w+)$/.exec(pkg);
  if (!m) return new Map();
  const source = readFileSync(path.join(typesDir, m[1] ?? m[2], `${m[3]}.d.ts`), 'utf8');
  const shapes = new Map();
  for (const [, name, body] of source.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const props = new Map();
    for (const [, prop, optional] of body.matchAll(/^ {4}(?:readonly )?(\w+)(\??):/gm)) props.set(prop, optional === '');
    shapes.set(name, props);
  }
  return shapes;
}

function build(messages) {
  const reachable = new Set();
  const visit = (name) => {
    if (reachable.has(name)) return;
    if (!messages.has(name)) throw new Error(`unknown message ${name}`);
    reachable.add(name);
    for (const f of messages.get(name).fields) if (f.typeName) visit(f.typeName);
  };
  for (const [pkg, kinds] of Object.values(KINDS)) for (const k of kinds) visit(`${pkg}.${k}`);
  visit(ENVELOPE);

  const packages = new Map();
  const shapes = new Map();
  const warnings = [];
  for (const full of [...reachable].sort()) {
    const msg = messages.get(full);
    if (msg.mapEntry) continue;
    const pkg = full.slice(0, full.lastIndexOf('.'));
    const short = full.slice(pkg.length + 1);
    if (!shapes.has(pkg)) shapes.set(pkg, typescriptShapes(pkg));
    const shape = shapes.get(pkg).get(short);
    const out = msg.fields.map((f) => {
      const entry = f.typeName && messages.get(f.typeName);
      const type = entry?.mapEntry
        ? `map<${entry.fields.map((e) => e.typeName ?? SCALARS[e.type]).join(',')}>`
        : f.typeName ?? SCALARS[f.type];
      if (!type) throw new Error(`${full}.${f.name}: unsupported field type ${f.type}`);
      const name = RENAME[`${full}.${f.name}`] ?? f.name;
      let mode;
      if (INLINE.has(`${full}.${f.name}`)) mode = 'inline';
      else if (f.label === 3) mode = 'repeated';
      else if (f.nullable) mode = 'pointer';
      else if (shape?.get(name)) mode = 'required';
      if (shape && !shape.has(name) && mode !== 'inline') warnings.push(`${full}.${name} is not in kubernetes-types`);
      return mode ? [f.number, name, type, mode] : [f.number, name, type];
    });
    if (!shape && pkg.startsWith('k8s.io.api.')) warnings.push(`${full} is not in kubernetes-types`);
    if (!packages.has(pkg)) {
      const [apiVersion, [, kinds]] = Object.entries(KINDS).find(([, [p]]) => p === pkg) ?? [undefined, [pkg, []]];
      packages.set(pkg, { package: pkg, apiVersion, kinds, messages: {} });
    }
    packages.get(pkg).messages[short] = out.sort((a, b) => a[0] - b[0]);
  }
  return { packages, warnings };
}

function write(packages) {
  mkdirSync(outDir, { recursive: true });
  for (const [pkg, schema] of packages) {
    const lines = Object.entries(schema.messages).map(([name, f]) => `    ${JSON.stringify(name)}: ${JSON.stringify(f)}`);
    const head = [`"package": ${JSON.stringify(pkg)}`, `"apiVersion": ${JSON.stringify(schema.apiVersion ?? '')}`, `"kinds": ${JSON.stringify(schema.kinds)}`];
    const body = `{\n  ${head.join(',\n  ')},\n  "messages": {\n${lines.join(',\n')}\n  }\n}\n`;
    writeFileSync(path.join(outDir, `${pkg}.json`), body);
  }
}

const binary = process.argv[2];
if (!binary) {
  process.stderr.write('usage: node scripts/gen-protobuf-schema.mjs <kubectl binary>\n');
  process.exit(2);
}
const { packages, warnings } = build(messagesOf(fileDescriptors(binary)));
write(packages);
for (const w of warnings) process.stderr.write(`note: ${w}\n`);
process.stdout.write(`wrote ${packages.size} schema files to ${path.relative(root, outDir)}\n`);
