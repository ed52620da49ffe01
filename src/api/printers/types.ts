// Shapes of meta.k8s.io/v1 Table column definitions and of a per-kind printer.

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

export interface TablePrinter {
  columns: TableColumnDefinition[];
  /** Always the wide cells (the real server generates with Wide:true and kubectl hides priority>0 columns). */
  cells(obj: any, now: number): unknown[];
  conditions?(obj: any): TableRowCondition[];
}
