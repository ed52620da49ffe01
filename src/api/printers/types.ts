// Shapes of meta.k8s.io/v1 Table column definitions and of a per-kind printer.

import type { KubeObject, Loose, StoredObject } from '../loose.js';

export type { KubeObject, StoredObject } from '../loose.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TablePrinter<T extends Loose<KubeObject> = StoredObject> {
  columns: TableColumnDefinition[];
  /** Always the wide cells (the real server generates with Wide:true and kubectl hides priority>0 columns). */
  cells(obj: T, now: number): unknown[];
  conditions?(obj: T): TableRowCondition[];
}
