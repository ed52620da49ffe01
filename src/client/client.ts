// A small typed client over a Transport, with the resource handles controllers use.

import type { ClientWatchEvent, DeleteOpts, ListOpts, PatchKind, ResourceRef, Transport, WatchHandle, WatchOpts, WriteOpts } from './transport.js';

export class ResourceClient {
  constructor(
    readonly transport: Transport,
    readonly ref: ResourceRef,
  ) {}

  get(ns: string, name: string): Promise<any> {
    return this.transport.get(this.ref, ns, name);
  }

  list(ns?: string, opts?: ListOpts): Promise<any> {
    return this.transport.list(this.ref, ns, opts);
  }

  create(ns: string, obj: any, opts?: WriteOpts): Promise<any> {
    return this.transport.create(this.ref, ns, obj, opts);
  }

  update(ns: string, obj: any, opts?: WriteOpts): Promise<any> {
    return this.transport.update(this.ref, ns, obj, undefined, opts);
  }

  updateStatus(ns: string, obj: any): Promise<any> {
    return this.transport.update(this.ref, ns, obj, 'status');
  }

  patch(ns: string, name: string, kind: PatchKind, patch: unknown, subresource?: string): Promise<any> {
    return this.transport.patch(this.ref, ns, name, kind, patch, subresource);
  }

  delete(ns: string, name: string, opts?: DeleteOpts): Promise<any> {
    return this.transport.delete(this.ref, ns, name, opts);
  }

  createSubresource(ns: string, name: string, subresource: string, obj: any): Promise<any> {
    return this.transport.createSubresource(this.ref, ns, name, subresource, obj);
  }

  watch(ns: string | undefined, opts: WatchOpts, onEvent: (ev: ClientWatchEvent) => void, onClose: (err?: Error) => void): WatchHandle {
    return this.transport.watch(this.ref, ns, opts, onEvent, onClose);
  }
}

const core = (plural: string): ResourceRef => ({ group: '', version: 'v1', plural });
const grp = (group: string, plural: string): ResourceRef => ({ group, version: 'v1', plural });

export const REFS = {
  namespaces: core('namespaces'),
  pods: core('pods'),
  services: core('services'),
  endpoints: core('endpoints'),
  configmaps: core('configmaps'),
  secrets: core('secrets'),
  serviceaccounts: core('serviceaccounts'),
  persistentvolumes: core('persistentvolumes'),
  persistentvolumeclaims: core('persistentvolumeclaims'),
  nodes: core('nodes'),
  events: core('events'),
  statefulsets: grp('apps', 'statefulsets'),
  deployments: grp('apps', 'deployments'),
  replicasets: grp('apps', 'replicasets'),
  daemonsets: grp('apps', 'daemonsets'),
  controllerrevisions: grp('apps', 'controllerrevisions'),
  poddisruptionbudgets: grp('policy', 'poddisruptionbudgets'),
  leases: grp('coordination.k8s.io', 'leases'),
  storageclasses: grp('storage.k8s.io', 'storageclasses'),
  endpointslices: grp('discovery.k8s.io', 'endpointslices'),
  ingresses: grp('networking.k8s.io', 'ingresses'),
  jobs: grp('batch', 'jobs'),
  cronjobs: grp('batch', 'cronjobs'),
} satisfies Record<string, ResourceRef>;

export type ResourceName = keyof typeof REFS;

export class Client {
  private handles = new Map<string, ResourceClient>();

  constructor(readonly transport: Transport) {}

  resource(ref: ResourceRef): ResourceClient {
    const k = `${ref.group}/${ref.version}/${ref.plural}`;
    let h = this.handles.get(k);
    if (!h) {
      h = new ResourceClient(this.transport, ref);
      this.handles.set(k, h);
    }
    return h;
  }

  get pods() { return this.resource(REFS.pods); }
  get nodes() { return this.resource(REFS.nodes); }
  get namespaces() { return this.resource(REFS.namespaces); }
  get services() { return this.resource(REFS.services); }
  get endpoints() { return this.resource(REFS.endpoints); }
  get secrets() { return this.resource(REFS.secrets); }
  get serviceAccounts() { return this.resource(REFS.serviceaccounts); }
  get events() { return this.resource(REFS.events); }
  get persistentVolumes() { return this.resource(REFS.persistentvolumes); }
  get persistentVolumeClaims() { return this.resource(REFS.persistentvolumeclaims); }
  get statefulSets() { return this.resource(REFS.statefulsets); }
  get controllerRevisions() { return this.resource(REFS.controllerrevisions); }
  get leases() { return this.resource(REFS.leases); }
  get storageClasses() { return this.resource(REFS.storageclasses); }
  get endpointSlices() { return this.resource(REFS.endpointslices); }
  get podDisruptionBudgets() { return this.resource(REFS.poddisruptionbudgets); }
}
