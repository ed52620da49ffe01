// networking.k8s.io/v1 defaults. Ingress has none.

export function defaultIngressClass(ic: any): void {
  const parameters = ic.spec?.parameters;
  if (parameters && parameters.scope == null) parameters.scope = 'Cluster';
}
