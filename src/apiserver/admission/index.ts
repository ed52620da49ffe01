// The admission plugins kube-apiserver enables by default that k8ts implements, in the real order.

import { AdmissionChain } from '../../registry/admission.js';
import { limitRanger } from './limitranger.js';
import { namespaceLifecycle } from './namespacelifecycle.js';
import { priorityAdmission } from './priority.js';
import { rbacEscalation, type EscalationDeps } from './rbacescalation.js';
import { resourceQuotaAdmission } from './resourcequota.js';
import { runtimeClassAdmission } from './runtimeclass.js';
import { serviceAccountAdmission } from './serviceaccount.js';
import { defaultTolerationSeconds } from './defaulttolerationseconds.js';
import { defaultStorageClass, storageObjectInUseProtection } from './storage.js';

/** The seconds DefaultTolerationSeconds gives pods on not-ready and unreachable nodes (kube-apiserver flags). */
export interface TolerationDefaults {
  notReadySeconds: number;
  unreachableSeconds: number;
}

/** Without `rbac` the RBAC registry's escalation checks are left out (registries without an authorizer). */
export function defaultAdmission(rbac?: EscalationDeps, tolerations?: TolerationDefaults): AdmissionChain {
  return new AdmissionChain([
    namespaceLifecycle,
    limitRanger,
    serviceAccountAdmission,
    priorityAdmission,
    runtimeClassAdmission,
    defaultTolerationSeconds(tolerations?.notReadySeconds, tolerations?.unreachableSeconds),
    defaultStorageClass,
    storageObjectInUseProtection,
    ...(rbac ? [rbacEscalation(rbac)] : []),
    // Last, as upstream: it counts what it admits, so nothing after it may refuse.
    resourceQuotaAdmission(),
  ]);
}
