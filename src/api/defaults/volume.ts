// SetDefaults_Volume and the per-source defaulters of pkg/apis/core/v1/defaults.go.
import type { DownwardAPIVolumeFile, ObjectFieldSelector, Volume } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { defaultPersistentVolumeClaimSpec } from './storage.js';

/** Every VolumeSource member name; a volume with none of them becomes an emptyDir. */
export const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO',
  'csi', 'ephemeral', 'image',
] as const;

/** The image source (v1.31) is newer than the kubernetes-types release installed. */
type ImageCapableVolume = Volume & { image?: { reference?: string; pullPolicy?: string } };

// 0644, the mode secret, configMap, downwardAPI and projected files get unless told otherwise.
const DEFAULT_MODE = 420;

export function defaultObjectFieldSelector(ref: Loose<ObjectFieldSelector> | undefined): void {
  if (ref && !ref.apiVersion) ref.apiVersion = 'v1';
}

function defaultDownwardAPIItems(items: Loose<DownwardAPIVolumeFile[]> | undefined): void {
  for (const item of items ?? []) defaultObjectFieldSelector(item.fieldRef);
}

export function defaultVolume(volume: Loose<ImageCapableVolume>): void {
  if (!VOLUME_SOURCES.some((s) => volume[s] != null)) volume.emptyDir = {};
  if (volume.hostPath) volume.hostPath.type ??= '';
  for (const s of ['secret', 'configMap', 'downwardAPI', 'projected'] as const) {
    const source = volume[s];
    if (source) source.defaultMode ??= DEFAULT_MODE;
  }
  defaultDownwardAPIItems(volume.downwardAPI?.items);
  for (const source of volume.projected?.sources ?? []) {
    defaultDownwardAPIItems(source.downwardAPI?.items);
    if (source.serviceAccountToken) source.serviceAccountToken.expirationSeconds ??= 3600;
  }
  if (volume.image && !volume.image.pullPolicy) {
    volume.image.pullPolicy = imageTag(volume.image.reference ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  }
  const claimTemplate = volume.ephemeral?.volumeClaimTemplate;
  if (claimTemplate) defaultPersistentVolumeClaimSpec((claimTemplate.spec ??= {}));
}

/** The tag parsers.ParseImageName finds: "latest" when the reference has neither tag nor digest. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}
