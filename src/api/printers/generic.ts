// rest.DefaultTableConvertor: what the API server serves for kinds without a printer (Roles, ClusterRoles, ...).

import { parseTimestamp } from '../../machinery/duration.js';
import { CREATION_TIMESTAMP_DESCRIPTION, column, nameColumn } from './columns.js';
import type { StoredObject, TablePrinter } from './types.js';

/** creationTimestamp in UTC RFC 3339 with whole seconds; Go's zero time when missing. */
function createdAt(obj: StoredObject): string {
  const t = parseTimestamp(obj?.metadata?.creationTimestamp);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const genericPrinter: TablePrinter = {
  columns: [nameColumn(), column('Created At', 'date', CREATION_TIMESTAMP_DESCRIPTION)],
  cells(obj) {
    return [obj?.metadata?.name ?? '', createdAt(obj)];
  },
};
