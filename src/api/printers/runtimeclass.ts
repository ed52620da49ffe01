// RuntimeClass table (printRuntimeClass).

import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { Loose } from '../loose.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { age } from './format.js';
import type { TablePrinter } from './types.js';

export const runtimeClassPrinter: TablePrinter<Loose<RuntimeClass>> = {
  columns: [
    nameColumn(),
    column('Handler', 'string', 'handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class.'),
    ageColumn(),
  ],
  cells(rc, now) {
    return [rc.metadata?.name ?? '', rc.handler ?? '', age(rc, now)];
  },
};
