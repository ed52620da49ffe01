// Shared by the validation tests: default like the API server, then render errors as kubectl prints them.
import { applyDefaults } from '../api/defaults/index.js';
import type { StoredObject } from '../api/loose.js';
import { validate } from '../api/validation/index.js';

export function messages(group: string, kind: string, obj: StoredObject, old?: StoredObject): string[] {
  applyDefaults(group, kind, obj);
  return validate(group, kind, obj, old).map((e) => `${e.field}: ${e.message}`);
}
