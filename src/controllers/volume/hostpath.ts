// The built-in hostpath provisioner (after minikube's storage-provisioner and rancher's
// local-path-provisioner): one directory per claim under <data dir>/volumes, a hostPath
// PersistentVolume pre-bound to the claim, and the directory removed when the volume is deleted.

import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { mkdir, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ANN_PROVISIONED_BY } from '../../api/storage/annotations.js';
import type { Stored } from '../../client/objects.js';
import { hostnameNodeAffinity } from './nodeaffinity.js';
import { claimClass } from '../../api/storage/classes.js';
import { claimRef } from './matching.js';

/** Provisioner names this process answers for, so tutorial manifests work unchanged. */
export const HOSTPATH_PROVISIONERS: ReadonlySet<string> = new Set(['k8s.io/minikube-hostpath', 'rancher.io/local-path', 'openebs.io/local', 'k8ts.io/hostpath']);

export function volumesRoot(dataDir: string): string {
  return join(resolve(dataDir), 'volumes');
}

/** getProvisionedVolumeNameForClaim. */
export function provisionedVolumeName(pvc: Stored<PersistentVolumeClaim>): string {
  return `pvc-${pvc.metadata.uid}`;
}

export function volumeDirectory(dataDir: string, pvc: Stored<PersistentVolumeClaim>): string {
  const shortUid = String(pvc.metadata.uid).slice(0, 8);
  return join(volumesRoot(dataDir), pvc.metadata.namespace ?? '', `${pvc.metadata.name}-${shortUid}`);
}

/** Why the provisioner refuses a claim (the external-provisioner library's checks), if it does. */
export function provisioningRefusal(pvc: PersistentVolumeClaim): string | undefined {
  if (pvc.spec?.selector) return 'claim Selector is not supported';
  if (pvc.spec?.volumeMode === 'Block') return 'volumeMode Block is not supported by a hostPath volume';
  return undefined;
}

/** The PersistentVolume object for a provisioned directory, pre-bound to its claim. */
export function provisionedVolume(pvc: Stored<PersistentVolumeClaim>, sc: StorageClass, provisioner: string, path: string, selectedNode?: string): PersistentVolume {
  const spec: PersistentVolumeSpec = {
    // The provisioner is only handed claims that request storage.
    capacity: { storage: pvc.spec!.resources!.requests!.storage },
    accessModes: [...(pvc.spec?.accessModes ?? [])],
    persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
    storageClassName: claimClass(pvc),
    volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
    hostPath: { path, type: 'DirectoryOrCreate' },
    claimRef: claimRef(pvc),
  };
  if (sc.mountOptions?.length) spec.mountOptions = [...sc.mountOptions];
  if (selectedNode) spec.nodeAffinity = hostnameNodeAffinity(selectedNode);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: provisionedVolumeName(pvc), annotations: { [ANN_PROVISIONED_BY]: provisioner } },
    spec,
  };
}

export async function createVolumeDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
}

/**
 * Remove a provisioned directory. Only paths strictly inside <data dir>/volumes are touched; anything
 * else is refused with the reason, as the upstream hostPath deleter refuses paths outside /tmp.
 */
export async function removeVolumeDirectory(dataDir: string, path: string | undefined): Promise<string | undefined> {
  const root = volumesRoot(dataDir);
  const target = resolve(path ?? '');
  const rel = relative(root, target);
  if (!path || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    return `host_path deleter only supports ${root}/.+ but received provided ${path ?? ''}`;
  }
  await rm(target, { recursive: true, force: true });
  return undefined;
}
