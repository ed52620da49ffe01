// Strategic merge patch metadata per kind: the `patchStrategy` / `patchMergeKey` struct tags of
// k8s.io/api (core/v1, apps/v1, batch/v1, policy/v1) and ObjectMeta, as a tree of shared struct
// descriptors. Only fields that carry a tag, or lead to one, are listed; everything else merges as
// a map or is replaced as a list. Lists nested in atomic lists (e.g. container statuses) need no
// entry: the whole outer list is replaced.

import type { FieldPatchMeta, PatchSchema } from '../machinery/patch/schema.js';

export type { FieldPatchMeta, PatchSchema } from '../machinery/patch/schema.js';

const struct = (schema: PatchSchema): FieldPatchMeta => ({ schema });
const mergeBy = (mergeKey: string, schema?: PatchSchema): FieldPatchMeta => (schema ? { strategy: 'merge', mergeKey, schema } : { strategy: 'merge', mergeKey });
const mergeRetainingKeysBy = (mergeKey: string): FieldPatchMeta => ({ strategy: 'merge', retainKeys: true, mergeKey });
const conditionsByType: PatchSchema = { conditions: mergeBy('type') };

const objectMeta: PatchSchema = {
  ownerReferences: mergeBy('uid'),
  finalizers: { strategy: 'merge' },
};

// Container and EphemeralContainerCommon carry the same tags.
const container: PatchSchema = {
  ports: mergeBy('containerPort'),
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
};

const podSpec: PatchSchema = {
  volumes: mergeRetainingKeysBy('name'),
  initContainers: mergeBy('name', container),
  containers: mergeBy('name', container),
  ephemeralContainers: mergeBy('name', container),
  imagePullSecrets: mergeBy('name'),
  hostAliases: mergeBy('ip'),
  topologySpreadConstraints: mergeBy('topologyKey'),
  schedulingGates: mergeBy('name'),
  resourceClaims: mergeRetainingKeysBy('name'),
};

const podStatus: PatchSchema = {
  conditions: mergeBy('type'),
  podIPs: mergeBy('ip'),
  hostIPs: mergeBy('ip'),
  resourceClaimStatuses: mergeRetainingKeysBy('name'),
};

const podTemplateSpec: PatchSchema = { metadata: struct(objectMeta), spec: struct(podSpec) };
const withPodTemplate: PatchSchema = { template: struct(podTemplateSpec) };

const jobSpec = withPodTemplate;
const cronJobSpec: PatchSchema = { jobTemplate: struct({ metadata: struct(objectMeta), spec: struct(jobSpec) }) };

/** A top-level object: ObjectMeta plus the given fields (usually spec and status). */
function object(fields: Record<string, PatchSchema> = {}): PatchSchema {
  const out: Record<string, FieldPatchMeta> = { metadata: struct(objectMeta) };
  for (const [name, schema] of Object.entries(fields)) out[name] = struct(schema);
  return out;
}

const METADATA_ONLY = object();

const KINDS: ReadonlyMap<string, PatchSchema> = new Map([
  ['v1/Pod', object({ spec: podSpec, status: podStatus })],
  ['v1/Service', object({ spec: { ports: mergeBy('port') }, status: conditionsByType })],
  ['v1/Node', object({ spec: { podCIDRs: { strategy: 'merge' } }, status: { conditions: mergeBy('type'), addresses: mergeBy('type') } })],
  ['v1/ServiceAccount', { ...METADATA_ONLY, secrets: mergeBy('name') }],
  ['v1/PersistentVolumeClaim', object({ status: conditionsByType })],
  ['v1/Namespace', object({ status: conditionsByType })],
  ['v1/ReplicationController', object({ spec: withPodTemplate, status: conditionsByType })],
  ['apps/v1/StatefulSet', object({ spec: withPodTemplate, status: conditionsByType })],
  ['apps/v1/Deployment', object({ spec: { ...withPodTemplate, strategy: { retainKeys: true } }, status: conditionsByType })],
  ['apps/v1/ReplicaSet', object({ spec: withPodTemplate, status: conditionsByType })],
  ['apps/v1/DaemonSet', object({ spec: withPodTemplate, status: conditionsByType })],
  ['apiregistration.k8s.io/v1/APIService', object({ status: conditionsByType })],
  ['policy/v1/PodDisruptionBudget', object({ spec: { selector: { strategy: 'replace' } }, status: conditionsByType })],
  ['batch/v1/Job', object({ spec: jobSpec, status: conditionsByType })],
  ['batch/v1/CronJob', object({ spec: cronJobSpec })],
]);

/**
 * The patch metadata of a kind. Kinds without tagged fields (ConfigMap, Secret, Endpoints, Event,
 * PersistentVolume, ControllerRevision, Lease, RBAC, ...) and unknown kinds get ObjectMeta's only.
 */
export function patchSchemaFor(apiVersion: string, kind: string): PatchSchema {
  return KINDS.get(`${apiVersion}/${kind}`) ?? METADATA_ONLY;
}
