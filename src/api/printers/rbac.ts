// RBAC tables: bindings get ROLE (and subjects when wide); roles use the generic NAME / CREATED AT table.

import { age } from './format.js';
import { ageColumn, column, nameColumn, wide } from './columns.js';
import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { Loose } from '../loose.js';
import type { TablePrinter } from './types.js';

/** rbac.SubjectsStrings: users, groups and `namespace/name` service accounts, each `, `-joined. */
function subjectCells(subjects: Loose<Subject[]> | undefined): [string, string, string] {
  const of = (kind: string, fmt: (s: Loose<Subject>) => string) =>
    (subjects ?? []).filter((s) => s.kind === kind).map(fmt).join(', ');
  return [
    of('User', (s) => s.name ?? ''),
    of('Group', (s) => s.name ?? ''),
    of('ServiceAccount', (s) => `${s.namespace ?? ''}/${s.name}`),
  ];
}

function bindingPrinter(kind: string, roleRefDescription: string): TablePrinter<Loose<RoleBinding | ClusterRoleBinding>> {
  return {
    columns: [
      nameColumn(),
      column('Role', 'string', roleRefDescription),
      ageColumn(),
      wide('Users', `Users in the ${kind}`),
      wide('Groups', `Groups in the ${kind}`),
      wide('ServiceAccounts', `ServiceAccounts in the ${kind}`),
    ],
    cells(b, now) {
      return [
        b.metadata?.name ?? '',
        `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
        age(b, now),
        ...subjectCells(b.subjects),
      ];
    },
  };
}

export const roleBindingPrinter = bindingPrinter(
  'roleBinding',
  'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
);

export const clusterRoleBindingPrinter = bindingPrinter(
  'clusterRoleBinding',
  'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
);
