// networking.k8s.io/v1 tables: Ingress and IngressClass.

import { age } from './format.js';
import { loadBalancerAddresses } from './service.js';
import { ageColumn, column, nameColumn } from './columns.js';
import type { Ingress, IngressClass, IngressRule } from 'kubernetes-types/networking/v1.js';
import type { Loose } from '../loose.js';
import type { TablePrinter } from './types.js';

/** formatHosts: up to 3 non-empty hosts, `*` when none; the "more" count is over all rules. */
function formatHosts(rules: Loose<IngressRule[]> | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules ?? []) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  const joined = list.join(',');
  return more ? `${joined} + ${(rules ?? []).length - max} more...` : joined;
}

export const ingressPrinter: TablePrinter<Loose<Ingress>> = {
  columns: [
    nameColumn(),
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn(),
  ],
  cells(ing, now) {
    return [
      ing.metadata?.name ?? '',
      ing.spec?.ingressClassName ?? '<none>',
      formatHosts(ing.spec?.rules),
      loadBalancerAddresses(ing.status?.loadBalancer?.ingress),
      (ing.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
      age(ing, now),
    ];
  },
};

export const ingressClassPrinter: TablePrinter<Loose<IngressClass>> = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn(),
  ],
  cells(ic, now) {
    const p = ic.spec?.parameters;
    const parameters = p ? `${p.kind ?? ''}${p.apiGroup != null ? `.${p.apiGroup}` : ''}/${p.name ?? ''}` : '<none>';
    return [ic.metadata?.name ?? '', ic.spec?.controller ?? '', parameters, age(ic, now)];
  },
};
