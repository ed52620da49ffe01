// The payloads the configMap, secret, downwardAPI and projected volume plugins hand to the
// AtomicWriter (MakePayload / CollectData / collectData in pkg/volume/*), with the errors the kubelet
// reports in FailedMount events.

import type { ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, ProjectedVolumeSource, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { containerResourceValue, extractFieldPathAsString, type ResourceList } from '../fieldpath.js';
import type { FileProjection } from './atomicwriter.js';

export const DEFAULT_MODE = 0o644;

export interface ProjectionInput {
  pod: Pod;
  getConfigMap: (namespace: string, name: string) => ConfigMap | undefined;
  getSecret: (namespace: string, name: string) => Secret | undefined;
  nodeAllocatable?: ResourceList;
  /** the bound token for serviceAccountToken sources (from TokenRequest) */
  serviceAccountToken?: string;
  /** set when fsGroup/runAsUser ownership applies: the token file is then written 0600 */
  fsGroup?: number;
}

export interface ProjectionResult {
  payload: Map<string, FileProjection>;
  /** set when the mount must fail; the text after `MountVolume.SetUp failed for volume "<name>" : ` */
  error?: string;
}

export const failedMountMessage = (volume: string, error: string) => `MountVolume.SetUp failed for volume ${JSON.stringify(volume)} : ${error}`;

const cleanPath = (p: string) => p.split('/').filter((s) => s !== '' && s !== '.').join('/') || '.';

/** utilerrors.NewAggregate(...).Error(): one message as is, several as `[a, b]`. */
function aggregate(errors: string[]): string | undefined {
  if (errors.length === 0) return undefined;
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}

type Entries = Map<string, Buffer>;

function keyPayload(entries: Entries, items: readonly KeyToPath[] | undefined, mode: number, optional: boolean, missingKey: (k: string) => string): ProjectionResult {
  const payload = new Map<string, FileProjection>();
  if (!items || items.length === 0) {
    for (const [k, data] of entries) payload.set(k, { data, mode });
    return { payload };
  }
  for (const item of items) {
    const data = entries.get(item.key);
    if (data === undefined) {
      if (optional) continue;
      return { payload: new Map(), error: missingKey(item.key) };
    }
    payload.set(item.path, { data, mode: item.mode ?? mode });
  }
  return { payload };
}

function configMapEntries(cm: ConfigMap | undefined): Entries {
  const e: Entries = new Map();
  for (const [k, v] of Object.entries(cm?.data ?? {})) e.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm?.binaryData ?? {})) e.set(k, Buffer.from(v, 'base64'));
  return e;
}

function secretEntries(s: Secret | undefined): Entries {
  return new Map(Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

const namespaceOf = (pod: Pod) => pod.metadata?.namespace ?? 'default';

function configMapSource(src: { name?: string; items?: KeyToPath[]; optional?: boolean }, mode: number, input: ProjectionInput): ProjectionResult {
  const name = src.name ?? '';
  const cm = input.getConfigMap(namespaceOf(input.pod), name);
  if (!cm && !src.optional) return { payload: new Map(), error: `configmap ${JSON.stringify(name)} not found` };
  return keyPayload(configMapEntries(cm), src.items, mode, !!src.optional, (k) => `configmap references non-existent config key: ${k}`);
}

function secretSource(src: { name?: string; items?: KeyToPath[]; optional?: boolean }, mode: number, input: ProjectionInput): ProjectionResult {
  const name = src.name ?? '';
  const s = input.getSecret(namespaceOf(input.pod), name);
  if (!s && !src.optional) return { payload: new Map(), error: `secret ${JSON.stringify(name)} not found` };
  return keyPayload(secretEntries(s), src.items, mode, !!src.optional, (k) => `references non-existent secret key: ${k}`);
}

/** downwardapi.CollectData: one file per item; failed items are reported together. */
export function downwardAPIPayload(items: readonly DownwardAPIVolumeFile[] | undefined, mode: number, input: ProjectionInput): ProjectionResult {
  const payload = new Map<string, FileProjection>();
  const errors: string[] = [];
  for (const item of items ?? []) {
    let data = Buffer.alloc(0);
    try {
      if (item.fieldRef) data = Buffer.from(extractFieldPathAsString(input.pod, item.fieldRef.fieldPath));
      else if (item.resourceFieldRef) data = Buffer.from(containerResourceValue(item.resourceFieldRef, input.pod, undefined, input.nodeAllocatable ?? {}));
    } catch (e) {
      errors.push((e as Error).message);
    }
    payload.set(cleanPath(item.path), { data, mode: item.mode ?? mode });
  }
  return { payload, error: aggregate(errors) };
}

/** projected collectData: sources merged in order, later paths overwriting earlier ones. */
export function projectedPayload(source: ProjectedVolumeSource, input: ProjectionInput): ProjectionResult {
  const mode = source.defaultMode ?? DEFAULT_MODE;
  const payload = new Map<string, FileProjection>();
  const errors: string[] = [];
  for (const s of source.sources ?? []) {
    let r: ProjectionResult | undefined;
    if (s.configMap) r = configMapSource(s.configMap, mode, input);
    else if (s.secret) r = secretSource(s.secret, mode, input);
    else if (s.downwardAPI) r = downwardAPIPayload(s.downwardAPI.items, mode, input);
    else if (s.serviceAccountToken) {
      const tp = s.serviceAccountToken;
      if (input.serviceAccountToken === undefined) r = { payload: new Map(), error: `failed to fetch token: no token for ${JSON.stringify(tp.path)}` };
      else r = { payload: new Map([[tp.path, { data: Buffer.from(input.serviceAccountToken), mode: input.fsGroup !== undefined ? 0o600 : mode }]]) };
    }
    if (!r) continue;
    if (r.error) {
      errors.push(r.error);
      continue;
    }
    for (const [k, v] of r.payload) payload.set(k, v);
  }
  return { payload, error: aggregate(errors) };
}

/** The payload for any atomic-writer volume, or undefined for volume types that are not projected. */
export function volumePayload(volume: Volume, input: ProjectionInput): ProjectionResult | undefined {
  if (volume.configMap) return configMapSource(volume.configMap, volume.configMap.defaultMode ?? DEFAULT_MODE, input);
  if (volume.secret) return secretSource({ ...volume.secret, name: volume.secret.secretName }, volume.secret.defaultMode ?? DEFAULT_MODE, input);
  if (volume.downwardAPI) return downwardAPIPayload(volume.downwardAPI.items, volume.downwardAPI.defaultMode ?? DEFAULT_MODE, input);
  if (volume.projected) return projectedPayload(volume.projected, input);
  return undefined;
}
