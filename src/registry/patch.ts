// PATCH bodies: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch, with
// the errors the real API server gives for bodies that do not parse or do not apply.

import jsonpatch from 'fast-json-patch';
import { badRequest, StatusError } from '../machinery/errors.js';
import { jsonDepth, MAX_NESTING_DEPTH } from '../machinery/depth.js';
import { isPlainObject } from '../machinery/objects.js';
import { mergePatch } from '../machinery/patch/merge.js';
import type { PatchSchema } from '../machinery/patch/schema.js';
import { strategicMergePatch } from '../machinery/patch/strategic.js';
import type { PatchType } from './options.js';

function parseJSON(body: string): unknown {
  if (jsonDepth(body) > MAX_NESTING_DEPTH) throw badRequest('error decoding patch: exceeded max depth');
  try {
    return JSON.parse(body);
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
}

/** Apply a PATCH body of the given type to (a copy of) the stored object. */
export function applyPatch(target: unknown, type: PatchType, body: string, schema: PatchSchema): unknown {
  const patch = parseJSON(body);
  switch (type) {
    case 'json': {
      if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      try {
        return jsonpatch.applyPatch(target, patch as jsonpatch.Operation[], true, true).newDocument;
      } catch (e) {
        throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${(e as Error).message.split('\n')[0]}`, {});
      }
    }
    case 'merge':
      if (!isPlainObject(patch)) throw badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
      return mergePatch(target, patch);
    case 'strategic':
      if (!isPlainObject(patch)) throw badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
      return strategicMergePatch(target, patch, schema);
    default:
      throw badRequest(`unsupported patch type ${type}`);
  }
}
