// Query and path parameters of the real kube-apiserver operations, with their upstream descriptions.
import { definitions } from './definitions.js';

export interface Parameter {
  name: string;
  in: 'query' | 'path';
  description?: string;
  required?: boolean;
  schema: { type: string; uniqueItems: true };
}

const query = (name: string, type: string, description?: string): Parameter => {
  const p: Parameter = { name, in: 'query', schema: { type, uniqueItems: true } };
  if (description) p.description = description;
  return p;
};

const DRY_RUN =
  'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed';
const FIELD_MANAGER =
  'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.';
const FIELD_MANAGER_PATCH = `${FIELD_MANAGER} This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).`;
const FIELD_VALIDATION =
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.';
const FORCE =
  'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.';
const PRETTY =
  "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).";

/** Path-level parameters: `{name}`, `{namespace}` and `pretty`. */
export function pathParameters(kind: string, namespaced: boolean, named: boolean): Parameter[] {
  const out: Parameter[] = [];
  const path = (name: string, description: string): Parameter => ({ name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } });
  if (named) out.push(path('name', `name of the ${kind}`));
  if (namespaced) out.push(path('namespace', 'object name and auth scope, such as for teams and projects'));
  out.push(query('pretty', 'string', PRETTY));
  return out;
}

/** Parameters of create and update (POST, PUT). */
export function writeParameters(): Parameter[] {
  return [query('dryRun', 'string', DRY_RUN), query('fieldManager', 'string', FIELD_MANAGER), query('fieldValidation', 'string', FIELD_VALIDATION)];
}

/** Parameters of PATCH; kubectl looks for `fieldValidation` here to decide on server-side validation. */
export function patchParameters(): Parameter[] {
  return [
    query('dryRun', 'string', DRY_RUN),
    query('fieldManager', 'string', FIELD_MANAGER_PATCH),
    query('fieldValidation', 'string', FIELD_VALIDATION),
    query('force', 'boolean', FORCE),
  ];
}

/** Parameters of list and watch. */
export function listParameters(): Parameter[] {
  return [
    query('allowWatchBookmarks', 'boolean'),
    query('continue', 'string'),
    query('fieldSelector', 'string'),
    query('labelSelector', 'string'),
    query('limit', 'integer'),
    query('resourceVersion', 'string'),
    query('resourceVersionMatch', 'string'),
    query('sendInitialEvents', 'boolean'),
    query('timeoutSeconds', 'integer'),
    query('watch', 'boolean'),
  ];
}

/** Parameters of DELETE; the query forms of DeleteOptions' fields carry the same documentation. */
export function deleteParameters(): Parameter[] {
  const doc = (field: string) => definitions()['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']?.properties?.[field]?.description;
  return [
    query('dryRun', 'string', DRY_RUN),
    query('gracePeriodSeconds', 'integer', doc('gracePeriodSeconds')),
    query('orphanDependents', 'boolean', doc('orphanDependents')),
    query('propagationPolicy', 'string', doc('propagationPolicy')),
  ];
}
