// PodDisruptionBudget, Lease, ResourceQuota and LimitRange tables.

import { age, intOrString } from './format.js';
import { ageColumn, column, nameColumn } from './columns.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { LimitRange, ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import type { TablePrinter } from './types.js';

export const podDisruptionBudgetPrinter: TablePrinter<Loose<PodDisruptionBudget>> = {
  columns: [
    nameColumn(),
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn(),
  ],
  cells(pdb, now) {
    const spec = pdb.spec ?? {};
    return [
      pdb.metadata?.name ?? '',
      spec.minAvailable != null ? intOrString(spec.minAvailable) : 'N/A',
      spec.maxUnavailable != null ? intOrString(spec.maxUnavailable) : 'N/A',
      pdb.status?.disruptionsAllowed ?? 0,
      age(pdb, now),
    ];
  },
};

export const leasePrinter: TablePrinter<Loose<Lease>> = {
  columns: [
    nameColumn(),
    column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'),
    ageColumn(),
  ],
  cells(lease, now) {
    return [lease.metadata?.name ?? '', lease.spec?.holderIdentity ?? '', age(lease, now)];
  },
};

/** printResourceQuota: each hard resource as `used/hard`, limits.* in LIMIT and the rest in REQUEST. */
export const resourceQuotaPrinter: TablePrinter<Loose<ResourceQuota>> = {
  columns: [
    nameColumn(),
    ageColumn(),
    column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  cells(q, now) {
    const hard = q.status?.hard ?? {};
    const used = q.status?.used ?? {};
    const requests: string[] = [];
    const limits: string[] = [];
    for (const name of Object.keys(hard).sort()) {
      const msg = `${name}: ${String(used[name] ?? '0')}/${String(hard[name])}`;
      (name.startsWith('limits.') ? limits : requests).push(msg);
    }
    return [q.metadata?.name ?? '', age(q, now), requests.join(', '), limits.join(', ')];
  },
};

export const limitRangePrinter: TablePrinter<Loose<LimitRange>> = {
  columns: [nameColumn(), column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.')],
  cells(lr) {
    return [lr.metadata?.name ?? '', lr.metadata?.creationTimestamp ?? ''];
  },
};
