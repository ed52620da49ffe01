// meta.k8s.io/v1 Table responses for kubectl get, built from the server-side printers.

import { printerFor } from '../api/printers/index.js';
import type { ResourceInfo } from '../api/resources.js';
import type { KObject } from '../storage/store.js';
import type { TableRequest } from './negotiation.js';

function rowObject(obj: KObject, include: TableRequest['includeObject']): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(r: ResourceInfo, objs: KObject[], listMeta: object, req: TableRequest, now: number, headers = true): object {
  const p = printerFor(r.group, r.kind);
  const rows = objs.map((o) => {
    const row: Record<string, unknown> = { cells: p.cells(o, now) };
    const conditions = p.conditions?.(o);
    if (conditions?.length) row.conditions = conditions;
    const object = rowObject(o, req.includeObject);
    if (object !== undefined) row.object = object;
    return row;
  });
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, columnDefinitions: headers ? p.columns : [], rows };
}

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
