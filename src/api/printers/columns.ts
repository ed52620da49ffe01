// Column definition builders and the ObjectMeta descriptions nearly every printer shares.

import type { TableColumnDefinition } from './types.js';

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const CONTAINERS_DESCRIPTION = 'Names of each container in the template.';
export const IMAGES_DESCRIPTION = 'Images referenced by each container in the template.';

export function column(name: string, type: string, description: string, priority = 0): TableColumnDefinition {
  return { name, type, format: '', description, priority };
}

/** The column kubectl prefixes with `kind/` when several types are printed. */
export function nameColumn(priority = 0): TableColumnDefinition {
  return { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority };
}

export function ageColumn(): TableColumnDefinition {
  return column('Age', 'string', CREATION_TIMESTAMP_DESCRIPTION);
}

export function wide(name: string, description: string): TableColumnDefinition {
  return column(name, 'string', description, 1);
}
