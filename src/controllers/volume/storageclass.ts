// The built-in `standard` StorageClass a fresh cluster starts with, as minikube's does.

import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { REFS, type Client } from '../../client/client.js';
import { isStatusError } from '../../machinery/errors.js';
import { ANN_DEFAULT_CLASS } from '../../api/storage/annotations.js';

export const DEFAULT_STORAGE_CLASS_NAME = 'standard';

export function defaultStorageClassManifest(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: DEFAULT_STORAGE_CLASS_NAME, annotations: { [ANN_DEFAULT_CLASS]: 'true' } },
    provisioner: 'k8s.io/minikube-hostpath',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

/** Create the `standard` StorageClass unless a class of that name exists already. */
export async function ensureDefaultStorageClass(client: Client): Promise<void> {
  try {
    await client.resource(REFS.storageclasses).create('', defaultStorageClassManifest());
  } catch (e) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
  }
}
