// apiregistration.k8s.io/v1 APIService table (kube-aggregator's registry table convertor).

import { age } from './format.js';
import { ageColumn, column, nameColumn } from './columns.js';
import type { Loose } from '../loose.js';
import type { KubeObject, TablePrinter } from './types.js';

/** The APIService fields the table reads (kubernetes-types has no apiregistration.k8s.io). */
interface APIService extends KubeObject {
  spec?: { service?: { namespace?: string; name?: string } };
  status?: { conditions?: Array<{ type?: string; status?: string; reason?: string }> };
}

function available(conditions: NonNullable<APIService['status']>['conditions']): string | undefined {
  const c = (conditions ?? []).find((x) => x.type === 'Available');
  if (!c) return 'Unknown';
  return c.status !== 'True' && c.reason ? `${c.status} (${c.reason})` : c.status;
}

export const apiServicePrinter: TablePrinter<Loose<APIService>> = {
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
