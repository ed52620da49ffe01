// Shared by the validation tests: default like the API server, then render errors as kubectl prints them.
import { applyDefaults } from '../api/defaults/index.js';
import { validate } from '../api/validation/index.js';

export function messages(group: string, kind: string, obj: any, old?: any): string[] {
  applyDefaults(group, kind, obj);
  return validate(group, kind, obj, old).map((e) => `${e.field}: ${e.message}`);
}
