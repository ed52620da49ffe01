// Strategic merge patch errors with the texts of k8s.io/apimachinery/pkg/util/mergepatch and
// pkg/util/strategicpatch. The apiserver answers most of them with 400 BadRequest; lists of lists
// get its generic 422 ([SRC] apiserver handlers/patch.go interpretStrategicMergePatchError).

import { badRequest, StatusError } from '../errors.js';
import { goSprint, goString, goTypeName } from './gofmt.js';
import type { Json, JsonObject } from './json.js';

export const LIST_TYPE = '[]interface {}';
export const MAP_TYPE = 'map[string]interface {}';

export const errBadPatchType = (directive: Json | undefined, m: JsonObject) =>
  badRequest(`unknown patch type: ${goString(directive)} in map: ${goSprint(m)}`);

export const errNoMergeKey = (m: JsonObject, mergeKey: string) =>
  badRequest(`map: ${goSprint(m)} does not contain declared merge key: ${mergeKey}`);

export const errBadArgType = (expected: string, actual: Json | undefined) =>
  badRequest(`expected a ${expected}, but received a ${goTypeName(actual)}`);

export const errNotAMap = (index: number) => badRequest(`value for key ${index} is not a map`);

export const errRetainKeys = () => badRequest('invalid patch format of retainKeys');

export const errPrimitiveList = () => badRequest('invalid patch format of primitive list');

export const errSetElementOrderList = () => badRequest('invalid patch format of setElementOrder list');

export const errOrderMismatch = (patchList: Json[], order: Json[]) =>
  badRequest(`the order in patch list:\n${goSprint(patchList)}\n doesn't match $setElementOrder list:\n${goSprint(order)}`);

export const errMergeDirectiveInList = () => badRequest('merging lists cannot yet be specified in the patch');

export const errNoMergeKeyDeclared = (field: string) => badRequest(`cannot merge lists without merge key for ${field}`);

export const errElementTypes = (lists: Json[][]) => badRequest(`list element types are not identical: ${goSprint(lists)}`);

export const errNotAnObject = (patch: Json) =>
  badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch} into Go value of type ${MAP_TYPE}`);

export const errListOfLists = () =>
  new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message: 'lists of lists are not supported' }],
  });
