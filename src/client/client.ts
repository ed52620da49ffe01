// A small typed client over a Transport, with the resource handles controllers use.

import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type {
  ConfigMap,
  Endpoints,
  Event,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject, Obj, StoredList } from './objects.js';
import type { ClientWatchEvent, DeleteOpts, ListOpts, PatchKind, ResourceRef, Transport, WatchHandle, WatchOpts, WriteOpts } from './transport.js';

/** A resource reference that carries the type of its objects. */
export interface TypedRef<T> extends ResourceRef {
  /** Never set: only the type parameter matters. */
  readonly _type?: T;
}

// `any` is the default only for code not yet typed (eslint.config.js lists it).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class ResourceClient<T = any> {
  constructor(
    readonly transport: Transport,
    readonly ref: ResourceRef,
  ) {}

  get(ns: string, name: string): Promise<Obj<T>> {
    return this.transport.get(this.ref, ns, name) as Promise<Obj<T>>;
  }

  list(ns?: string, opts?: ListOpts): Promise<ListOf<T>> {
    return this.transport.list(this.ref, ns, opts) as Promise<ListOf<T>>;
  }

  create(ns: string, obj: T, opts?: WriteOpts): Promise<Obj<T>> {
    return this.transport.create(this.ref, ns, obj, opts) as Promise<Obj<T>>;
  }

  update(ns: string, obj: T | Obj<T>, opts?: WriteOpts): Promise<Obj<T>> {
    return this.transport.update(this.ref, ns, obj, undefined, opts) as Promise<Obj<T>>;
  }

  updateStatus(ns: string, obj: T | Obj<T>): Promise<Obj<T>> {
    return this.transport.update(this.ref, ns, obj, 'status') as Promise<Obj<T>>;
  }

  /** PUT to a subresource that takes the whole object (`namespaces/finalize`). */
  updateSubresource(ns: string, obj: T | Obj<T>, subresource: string): Promise<Obj<T>> {
    return this.transport.update(this.ref, ns, obj, subresource) as Promise<Obj<T>>;
  }

  patch(ns: string, name: string, kind: PatchKind, patch: unknown, subresource?: string): Promise<Obj<T>> {
    return this.transport.patch(this.ref, ns, name, kind, patch, subresource) as Promise<Obj<T>>;
  }

  /** The deleted object (or, while finalizers or a grace period hold it, the object as it is now). */
  delete(ns: string, name: string, opts?: DeleteOpts): Promise<Untyped<T, unknown>> {
    return this.transport.delete(this.ref, ns, name, opts);
  }

  createSubresource(ns: string, name: string, subresource: string, obj: unknown): Promise<Untyped<T, unknown>> {
    return this.transport.createSubresource(this.ref, ns, name, subresource, obj);
  }

  watch(ns: string | undefined, opts: WatchOpts, onEvent: (ev: ClientWatchEvent) => void, onClose: (err?: Error) => void): WatchHandle {
    return this.transport.watch(this.ref, ns, opts, onEvent, onClose);
  }
}

/** `U` for a typed client, `any` for an untyped one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Untyped<T, U> = 0 extends 1 & T ? any : U;

/** The list type of a typed or untyped client. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ListOf<T> = 0 extends 1 & T ? any : T extends KubeObject ? StoredList<T> : never;

const core = <T>(plural: string): TypedRef<T> => ({ group: '', version: 'v1', plural });
const grp = <T>(group: string, plural: string): TypedRef<T> => ({ group, version: 'v1', plural });

export const REFS = {
  namespaces: core<Namespace>('namespaces'),
  pods: core<Pod>('pods'),
  services: core<Service>('services'),
  endpoints: core<Endpoints>('endpoints'),
  configmaps: core<ConfigMap>('configmaps'),
  secrets: core<Secret>('secrets'),
  serviceaccounts: core<ServiceAccount>('serviceaccounts'),
  persistentvolumes: core<PersistentVolume>('persistentvolumes'),
  persistentvolumeclaims: core<PersistentVolumeClaim>('persistentvolumeclaims'),
  nodes: core<Node>('nodes'),
  events: core<Event>('events'),
  statefulsets: grp<StatefulSet>('apps', 'statefulsets'),
  deployments: grp<Deployment>('apps', 'deployments'),
  replicasets: grp<ReplicaSet>('apps', 'replicasets'),
  daemonsets: grp<DaemonSet>('apps', 'daemonsets'),
  controllerrevisions: grp<ControllerRevision>('apps', 'controllerrevisions'),
  poddisruptionbudgets: grp<PodDisruptionBudget>('policy', 'poddisruptionbudgets'),
  leases: grp<Lease>('coordination.k8s.io', 'leases'),
  storageclasses: grp<StorageClass>('storage.k8s.io', 'storageclasses'),
  endpointslices: grp<EndpointSlice>('discovery.k8s.io', 'endpointslices'),
  ingresses: grp<Ingress>('networking.k8s.io', 'ingresses'),
  jobs: grp<Job>('batch', 'jobs'),
  cronjobs: grp<CronJob>('batch', 'cronjobs'),
  clusterroles: grp<ClusterRole>('rbac.authorization.k8s.io', 'clusterroles'),
} satisfies Record<string, ResourceRef>;

export type ResourceName = keyof typeof REFS;

export class Client {
  private handles = new Map<string, ResourceClient>();

  constructor(readonly transport: Transport) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a plain ResourceRef gets the untyped client
  resource<T = any>(ref: TypedRef<T>): ResourceClient<T> {
    const k = `${ref.group}/${ref.version}/${ref.plural}`;
    let h = this.handles.get(k);
    if (!h) {
      h = new ResourceClient(this.transport, ref);
      this.handles.set(k, h);
    }
    return h as ResourceClient<T>;
  }

  /** The shorthand handles, untyped until their users are typed; typed code uses `resource(REFS.x)`. */
  private untyped(ref: ResourceRef): ResourceClient {
    return this.resource<any>(ref); // eslint-disable-line @typescript-eslint/no-explicit-any -- see above
  }

  get pods() { return this.untyped(REFS.pods); }
  get nodes() { return this.untyped(REFS.nodes); }
  get namespaces() { return this.untyped(REFS.namespaces); }
  get services() { return this.untyped(REFS.services); }
  get endpoints() { return this.untyped(REFS.endpoints); }
  get secrets() { return this.untyped(REFS.secrets); }
  get serviceAccounts() { return this.untyped(REFS.serviceaccounts); }
  get events() { return this.untyped(REFS.events); }
  get persistentVolumes() { return this.untyped(REFS.persistentvolumes); }
  get persistentVolumeClaims() { return this.untyped(REFS.persistentvolumeclaims); }
  get statefulSets() { return this.untyped(REFS.statefulsets); }
  get controllerRevisions() { return this.untyped(REFS.controllerrevisions); }
  get leases() { return this.untyped(REFS.leases); }
  get storageClasses() { return this.untyped(REFS.storageclasses); }
  get endpointSlices() { return this.untyped(REFS.endpointslices); }
  get podDisruptionBudgets() { return this.untyped(REFS.poddisruptionbudgets); }
}
