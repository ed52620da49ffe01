// Secret, Namespace and Node defaults (core/v1).
import type { Namespace, Node, Secret } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { defaultResourceList } from './resources.js';

export function defaultSecret(secret: Loose<Secret>): void {
  if (!secret.type) secret.type = 'Opaque';
}

/** SetDefaults_Namespace; spec.finalizers and status.phase are the registry's, not defaulting's. */
export function defaultNamespace(ns: Loose<Namespace>): void {
  const meta = ns.metadata;
  const name = meta?.name;
  if (meta && name) (meta.labels ??= {})['kubernetes.io/metadata.name'] = name;
}

export function defaultNode(node: Loose<Node>): void {
  const status = node.status;
  if (!status) return;
  if (status.allocatable == null && status.capacity != null) status.allocatable = { ...status.capacity };
  defaultResourceList(status.capacity);
  defaultResourceList(status.allocatable);
}
