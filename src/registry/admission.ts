// The admission contract (k8s.io/apiserver/pkg/admission): plugins that mutate a write after defaulting
// (admit) and that may refuse it once it validated (validate). The plugins live in apiserver/admission.

import type { ResourceInfo } from '../api/resources.js';
import type { KObject, Store } from '../storage/store.js';
import type { WriteOptions } from './options.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  operation: Operation;
  resource: ResourceInfo;
  subresource: string;
  namespace: string;
  name: string;
  /** The object being written (mutable in admit); for DELETE, the stored one. */
  object: KObject;
  old?: KObject;
  user?: WriteOptions['user'];
  dryRun: boolean;
  /** What admission may read: the stored objects. */
  store: Store;
}

export interface AdmissionPlugin {
  readonly name: string;
  admit?(a: AdmissionAttributes): void;
  validate?(a: AdmissionAttributes): void;
}

/** Mutating plugins in order, then validating ones, as the real server's chain runs them. */
export class AdmissionChain {
  constructor(private plugins: AdmissionPlugin[] = []) {}

  admit(a: AdmissionAttributes): void {
    for (const p of this.plugins) p.admit?.(a);
  }

  validate(a: AdmissionAttributes): void {
    for (const p of this.plugins) p.validate?.(a);
  }
}
