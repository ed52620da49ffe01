// How a client reaches the API: in-process (same validation and admission as HTTP) or over HTTPS.
// Objects returned by a transport are shared and frozen: clone before changing them.

export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

export interface ListOpts {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface WatchOpts {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
}

export interface WriteOpts {
  dryRun?: boolean;
  fieldManager?: string;
}

export interface DeleteOpts {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchKind = 'json' | 'merge' | 'strategic';

export interface ClientWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: any;
}

export interface WatchHandle {
  stop(): void;
}

export interface Transport {
  get(ref: ResourceRef, ns: string, name: string, subresource?: string): Promise<any>;
  list(ref: ResourceRef, ns: string | undefined, opts?: ListOpts): Promise<any>;
  create(ref: ResourceRef, ns: string, obj: any, opts?: WriteOpts): Promise<any>;
  /** POST to a subresource (binding, eviction). */
  createSubresource(ref: ResourceRef, ns: string, name: string, subresource: string, obj: any): Promise<any>;
  update(ref: ResourceRef, ns: string, obj: any, subresource?: string, opts?: WriteOpts): Promise<any>;
  patch(ref: ResourceRef, ns: string, name: string, kind: PatchKind, patch: unknown, subresource?: string): Promise<any>;
  delete(ref: ResourceRef, ns: string, name: string, opts?: DeleteOpts): Promise<any>;
  /** Events arrive asynchronously, never inside the write that caused them. `onClose` fires when the server ends the watch. */
  watch(ref: ResourceRef, ns: string | undefined, opts: WatchOpts, onEvent: (ev: ClientWatchEvent) => void, onClose: (err?: Error) => void): WatchHandle;
}
