// The `paths` of a group-version document: the REST operations the real kube-apiserver publishes for a
// resource, each tagged with x-kubernetes-action and x-kubernetes-group-version-kind (kubectl explain and
// kubectl's fieldValidation check find kinds through these).
import type { ResourceInfo, SubresourceInfo } from '../resources.js';
import { refTo, schemaNameFor, type GroupVersionKind, type Schema } from './definitions.js';
import { deleteParameters, listParameters, patchParameters, pathParameters, writeParameters, type Parameter } from './parameters.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type PathItem = Partial<Record<Method, Operation>> & { parameters?: Parameter[] };

interface Operation {
  description: string;
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }>; required?: boolean };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  tags: string[];
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': GroupVersionKind;
}

const STATUS = refTo('io.k8s.apimachinery.pkg.apis.meta.v1.Status');
const PATCH = refTo('io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
const DELETE_OPTIONS = refTo('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
const TEXT: Schema = { type: 'string' };

// Strategic merge patch is deliberately not offered: kubectl then computes it from its compiled-in types,
// which carry the patch merge keys our generated schemas lack.
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];
const CONNECT = new Set(['attach', 'exec', 'portforward', 'proxy']);
const TEXT_RESPONSES = new Set(['log']);

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `Apps`, `Core`, `RbacAuthorization`: the group part of upstream operation ids and tags. */
function groupName(group: string): string {
  return group ? group.replace(/\.k8s\.io$/, '').split('.').map(cap).join('') : 'Core';
}

const json = (schema: Schema) => ({ 'application/json': { schema } });
const ok = (schema: Schema) => ({ description: 'OK', content: json(schema) });
const unauthorized = { description: 'Unauthorized' };

interface Context {
  gvk: GroupVersionKind;
  schema: Schema;
  tag: string;
  gv: string;
  scope: string;
}

function op(c: Context, action: string, description: string, operationId: string, rest: Partial<Operation> = {}): Operation {
  return {
    description,
    operationId,
    ...rest,
    responses: rest.responses ?? { '200': ok(c.schema), '401': unauthorized },
    tags: [c.tag],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': c.gvk,
  };
}

const writeBody = (schema: Schema) => ({ content: { '*/*': { schema } }, required: true });
const patchBody = () => ({ content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: PATCH }])), required: true });
const written = (schema: Schema) => ({ '200': ok(schema), '201': { description: 'Created', content: json(schema) }, '401': unauthorized });

function collection(r: ResourceInfo, c: Context, listSchema: Schema | undefined): PathItem {
  const item: PathItem = { parameters: pathParameters(r.kind, r.namespaced, false) };
  const id = `${c.gv}${c.scope}${r.kind}`;
  if (listSchema) {
    item.get = op(c, 'list', `list or watch objects of kind ${r.kind}`, `list${id}`, {
      parameters: listParameters(),
      responses: { '200': { description: 'OK', content: { ...json(listSchema), 'application/json;stream=watch': { schema: listSchema } } }, '401': unauthorized },
    });
  }
  if (r.verbs.includes('create')) {
    item.post = op(c, 'post', `create ${article(r.kind)} ${r.kind}`, `create${id}`, {
      parameters: writeParameters(),
      requestBody: writeBody(c.schema),
      responses: { ...written(c.schema), '202': { description: 'Accepted', content: json(c.schema) } },
    });
  }
  if (r.verbs.includes('deletecollection')) {
    item.delete = op(c, 'deletecollection', `delete collection of ${r.kind}`, `delete${c.gv}Collection${c.scope}${r.kind}`, {
      parameters: [...deleteParameters(), ...listParameters().filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
      requestBody: { content: { '*/*': { schema: DELETE_OPTIONS } } },
      responses: { '200': ok(STATUS), '401': unauthorized },
    });
  }
  return item;
}

function single(r: ResourceInfo, c: Context): PathItem {
  const item: PathItem = { parameters: pathParameters(r.kind, r.namespaced, true) };
  const id = `${c.gv}${c.scope}${r.kind}`;
  if (r.verbs.includes('get')) item.get = op(c, 'get', `read the specified ${r.kind}`, `read${id}`);
  if (r.verbs.includes('update')) {
    item.put = op(c, 'put', `replace the specified ${r.kind}`, `replace${id}`, { parameters: writeParameters(), requestBody: writeBody(c.schema), responses: written(c.schema) });
  }
  if (r.verbs.includes('patch')) {
    item.patch = op(c, 'patch', `partially update the specified ${r.kind}`, `patch${id}`, { parameters: patchParameters(), requestBody: patchBody(), responses: written(c.schema) });
  }
  if (r.verbs.includes('delete')) {
    item.delete = op(c, 'delete', `delete ${article(r.kind)} ${r.kind}`, `delete${id}`, {
      parameters: deleteParameters(),
      requestBody: { content: { '*/*': { schema: DELETE_OPTIONS } } },
      responses: { '200': ok(STATUS), '202': { description: 'Accepted', content: json(STATUS) }, '401': unauthorized },
    });
  }
  return item;
}

function subresource(r: ResourceInfo, s: SubresourceInfo, parent: Context): PathItem {
  const gvk = { group: s.group, version: s.version, kind: s.kind };
  const name = schemaNameFor(gvk);
  const schema = TEXT_RESPONSES.has(s.name) || !name ? TEXT : refTo(name);
  const c: Context = { ...parent, gvk, schema };
  const item: PathItem = { parameters: pathParameters(r.kind, r.namespaced, true) };
  const id = `${c.gv}${c.scope}${r.kind}${cap(s.name)}`;
  if (CONNECT.has(s.name)) {
    const connect = (method: 'get' | 'post') =>
      op(c, 'connect', `connect ${method.toUpperCase()} requests to ${s.name} of ${r.kind}`, `connect${c.gv}${cap(method)}${c.scope}${r.kind}${cap(s.name)}`, {
        responses: { '200': { description: 'OK', content: { '*/*': { schema: TEXT } } }, '401': unauthorized },
      });
    if (s.verbs.includes('get')) item.get = connect('get');
    if (s.verbs.includes('create')) item.post = connect('post');
    return item;
  }
  if (s.verbs.includes('get')) item.get = op(c, 'get', `read ${s.name} of the specified ${r.kind}`, `read${id}`);
  if (s.verbs.includes('update')) {
    item.put = op(c, 'put', `replace ${s.name} of the specified ${r.kind}`, `replace${id}`, { parameters: writeParameters(), requestBody: writeBody(schema), responses: written(schema) });
  }
  if (s.verbs.includes('patch')) {
    item.patch = op(c, 'patch', `partially update ${s.name} of the specified ${r.kind}`, `patch${id}`, { parameters: patchParameters(), requestBody: patchBody(), responses: written(schema) });
  }
  if (s.verbs.includes('create')) {
    item.post = op(c, 'post', `create ${s.name} of ${article(r.kind)} ${r.kind}`, `create${id}`, {
      parameters: writeParameters(),
      requestBody: writeBody(schema),
      responses: { ...written(schema), '202': { description: 'Accepted', content: json(schema) } },
    });
  }
  return item;
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? 'an' : 'a';
}

/** Every path of one resource: namespaced (or cluster) collection and item, subresources, all-namespaces list. */
export function resourcePaths(r: ResourceInfo): Record<string, PathItem> {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const name = schemaNameFor(gvk);
  const listName = schemaNameFor({ ...gvk, kind: r.listKind });
  if (!name) throw new Error(`no OpenAPI schema for ${r.group}/${r.version} ${r.kind}`);
  if (!listName && r.verbs.includes('list')) throw new Error(`no OpenAPI schema for ${r.group}/${r.version} ${r.listKind}`);
  const list = listName && r.verbs.includes('list') ? refTo(listName) : undefined;
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const g = groupName(r.group);
  const gv = `${g}${cap(r.version)}`;
  const tag = `${g.charAt(0).toLowerCase()}${g.slice(1)}_${r.version}`;
  const c: Context = { gvk, schema: refTo(name), tag, gv, scope: r.namespaced ? 'Namespaced' : '' };
  const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  const paths: Record<string, PathItem> = { [base]: collection(r, c, list) };
  if (r.verbs.some((v) => ['get', 'update', 'patch', 'delete'].includes(v))) paths[`${base}/{name}`] = single(r, c);
  for (const s of r.subresources) paths[`${base}/{name}/${s.name}`] = subresource(r, s, c);
  if (r.namespaced && list) {
    paths[`${prefix}/${r.plural}`] = {
      get: op(c, 'list', `list or watch objects of kind ${r.kind}`, `list${gv}${r.kind}ForAllNamespaces`, {
        responses: { '200': ok(list), '401': unauthorized },
      }),
      parameters: [...listParameters(), ...pathParameters(r.kind, false, false)],
    };
  }
  return paths;
}
