// Secret, Namespace and Node defaults (core/v1).
import { defaultResourceList } from './resources.js';

export function defaultSecret(secret: any): void {
  if (!secret.type) secret.type = 'Opaque';
}

/** SetDefaults_Namespace; spec.finalizers and status.phase are the registry's, not defaulting's. */
export function defaultNamespace(ns: any): void {
  const name = ns.metadata?.name;
  if (name) (ns.metadata.labels ??= {})['kubernetes.io/metadata.name'] = name;
}

export function defaultNode(node: any): void {
  const status = node.status;
  if (!status) return;
  if (status.allocatable == null && status.capacity != null) status.allocatable = { ...status.capacity };
  defaultResourceList(status.capacity);
  defaultResourceList(status.allocatable);
}
