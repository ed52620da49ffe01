// The resource table: every kind the API server serves, with the discovery data kubectl relies on.

export interface SubresourceInfo {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceInfo[];
  /** Only kept for reads through a subresource (autoscaling/v1 Scale): not stored itself. */
  virtual?: boolean;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const GPU = ['get', 'patch', 'update'];

interface Spec {
  kind: string;
  plural?: string;
  namespaced?: boolean;
  shortNames?: string[];
  all?: boolean;
  categories?: string[];
  status?: boolean;
  scale?: boolean;
  extra?: Array<Omit<SubresourceInfo, 'group' | 'version'> & { group?: string; version?: string }>;
  verbs?: string[];
}

function define(group: string, version: string, specs: Spec[]): ResourceInfo[] {
  return specs.map((s) => {
    const plural = s.plural ?? `${s.kind.toLowerCase()}s`;
    const subresources: SubresourceInfo[] = [];
    if (s.scale) subresources.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: GPU });
    if (s.status) subresources.push({ name: 'status', group, version, kind: s.kind, verbs: GPU });
    for (const e of s.extra ?? []) subresources.push({ group: e.group ?? group, version: e.version ?? version, ...e });
    return {
      group,
      version,
      kind: s.kind,
      listKind: `${s.kind}List`,
      plural,
      singular: s.kind.toLowerCase(),
      namespaced: s.namespaced ?? true,
      shortNames: s.shortNames ?? [],
      categories: s.categories ?? (s.all ? ['all'] : []),
      verbs: s.verbs ?? CRUD,
      subresources: subresources.sort((a, b) => a.name.localeCompare(b.name)),
    };
  });
}

export const RESOURCES: ResourceInfo[] = [
  ...define('', 'v1', [
    { kind: 'Namespace', namespaced: false, shortNames: ['ns'], status: true, extra: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
    {
      kind: 'Pod', shortNames: ['po'], all: true, status: true,
      extra: [
        { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
        { name: 'binding', kind: 'Binding', verbs: ['create'] },
        { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
        { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
        { name: 'log', kind: 'Pod', verbs: ['get'] },
        { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      ],
    },
    { kind: 'Binding', plural: 'bindings', verbs: ['create'] },
    { kind: 'ReplicationController', shortNames: ['rc'], all: true, status: true, scale: true },
    { kind: 'Service', shortNames: ['svc'], all: true, status: true },
    { kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'] },
    { kind: 'ConfigMap', shortNames: ['cm'] },
    { kind: 'Secret' },
    { kind: 'ServiceAccount', shortNames: ['sa'], extra: [{ name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }] },
    { kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'], status: true },
    { kind: 'PersistentVolumeClaim', shortNames: ['pvc'], status: true },
    { kind: 'Node', namespaced: false, shortNames: ['no'], status: true },
    { kind: 'Event', shortNames: ['ev'] },
    { kind: 'ResourceQuota', shortNames: ['quota'], status: true },
    { kind: 'LimitRange', shortNames: ['limits'] },
  ]),
  ...define('apps', 'v1', [
    { kind: 'StatefulSet', shortNames: ['sts'], all: true, status: true, scale: true },
    { kind: 'Deployment', shortNames: ['deploy'], all: true, status: true, scale: true },
    { kind: 'ReplicaSet', shortNames: ['rs'], all: true, status: true, scale: true },
    { kind: 'DaemonSet', shortNames: ['ds'], all: true, status: true },
    { kind: 'ControllerRevision' },
  ]),
  ...define('apiregistration.k8s.io', 'v1', [{ kind: 'APIService', namespaced: false, status: true, categories: ['api-extensions'] }]),
  ...define('policy', 'v1', [{ kind: 'PodDisruptionBudget', shortNames: ['pdb'], status: true }]),
  ...define('scheduling.k8s.io', 'v1', [{ kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, shortNames: ['pc'] }]),
  ...define('coordination.k8s.io', 'v1', [{ kind: 'Lease' }]),
  ...define('node.k8s.io', 'v1', [{ kind: 'RuntimeClass', plural: 'runtimeclasses', namespaced: false }]),
  ...define('storage.k8s.io', 'v1', [{ kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'] }]),
  ...define('discovery.k8s.io', 'v1', [{ kind: 'EndpointSlice' }]),
  ...define('networking.k8s.io', 'v1', [
    { kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], status: true },
    { kind: 'IngressClass', plural: 'ingressclasses', namespaced: false },
  ]),
  ...define('authorization.k8s.io', 'v1', [
    { kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'] },
    { kind: 'SelfSubjectRulesReview', namespaced: false, verbs: ['create'] },
    { kind: 'SubjectAccessReview', namespaced: false, verbs: ['create'] },
    { kind: 'LocalSubjectAccessReview', verbs: ['create'] },
  ]),
  ...define('authentication.k8s.io', 'v1', [
    { kind: 'SelfSubjectReview', namespaced: false, verbs: ['create'] },
    { kind: 'TokenReview', namespaced: false, verbs: ['create'] },
  ]),
  ...define('rbac.authorization.k8s.io', 'v1', [
    { kind: 'Role' },
    { kind: 'ClusterRole', namespaced: false },
    { kind: 'RoleBinding' },
    { kind: 'ClusterRoleBinding', namespaced: false },
  ]),
  ...define('batch', 'v1', [
    { kind: 'Job', all: true, status: true },
    { kind: 'CronJob', shortNames: ['cj'], all: true, status: true },
  ]),
];

export function groupVersion(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Key used for storage and lookups: "apps/statefulsets", "pods" for core. */
export function resourceKey(r: { group: string; plural: string }): string {
  return r.group ? `${r.group}/${r.plural}` : r.plural;
}

const byGVR = new Map<string, ResourceInfo>();
const byGVK = new Map<string, ResourceInfo>();
for (const r of RESOURCES) {
  byGVR.set(`${groupVersion(r)}/${r.plural}`, r);
  byGVK.set(`${groupVersion(r)}/${r.kind}`, r);
}

export function lookupResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return byGVR.get(`${groupVersion({ group, version })}/${plural}`);
}

export function lookupKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byGVK.get(`${apiVersion}/${kind}`);
}

/** Group display used in messages: `statefulsets.apps`, `pods`. */
export function qualifiedResource(r: { group: string; plural: string }): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

export function groupVersions(): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
}
