// PodDisruptionBudget and Lease tables.

import { age, intOrString } from './format.js';
import { ageColumn, column, nameColumn } from './columns.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
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
