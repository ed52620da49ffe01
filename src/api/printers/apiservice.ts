// apiregistration.k8s.io/v1 APIService table (kube-aggregator's registry table convertor).

import { age } from './format.js';
import { ageColumn, column, nameColumn } from './columns.js';
import type { TablePrinter } from './types.js';

function available(conditions: any[] | undefined): string {
  const c = (conditions ?? []).find((x) => x.type === 'Available');
  if (!c) return 'Unknown';
  return c.status !== 'True' && c.reason ? `${c.status} (${c.reason})` : c.status;
}

export const apiServicePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    column('Available', 'string', 'Whether this service is available.'),
    ageColumn(),
  ],
  cells(obj, now) {
    const service = obj.spec?.service;
    return [obj.metadata?.name ?? '', service ? `${service.namespace}/${service.name}` : 'Local', available(obj.status?.conditions), age(obj, now)];
  },
};
