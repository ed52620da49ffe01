// The admission plugins kube-apiserver enables by default that k8ts implements, in the real order.

import { AdmissionChain } from '../../registry/admission.js';
import { namespaceLifecycle } from './namespacelifecycle.js';
import { serviceAccountAdmission } from './serviceaccount.js';
import { defaultStorageClass, storageObjectInUseProtection } from './storage.js';

export function defaultAdmission(): AdmissionChain {
  return new AdmissionChain([namespaceLifecycle, serviceAccountAdmission, defaultStorageClass, storageObjectInUseProtection]);
}
