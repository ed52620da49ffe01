// networking.k8s.io/v1 defaults. Ingress has none.
import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import type { Loose } from '../loose.js';

export function defaultIngressClass(ic: Loose<IngressClass>): void {
  const parameters = ic.spec?.parameters;
  if (parameters && parameters.scope == null) parameters.scope = 'Cluster';
}
