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
  /** Whatever kind the watch is of: the informer hands it to its cache typed as that kind. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- client.ts' watch has no type parameter for the kind (client.ts is typed separately)
  object: any;
}

export interface WatchHandle {
  stop(): void;
}

export interface Transport {
  get(ref: ResourceRef, ns: string, name: string, subresource?: string): Promise<unknown>;
  list(ref: ResourceRef, ns: string | undefined, opts?: ListOpts): Promise<unknown>;
  create(ref: ResourceRef, ns: string, obj: unknown, opts?: WriteOpts): Promise<unknown>;
  /** POST to a subresource (binding, eviction). */
  createSubresource(ref: ResourceRef, ns: string, name: string, subresource: string, obj: unknown): Promise<unknown>;
  update(ref: ResourceRef, ns: string, obj: unknown, subresource?: string, opts?: WriteOpts): Promise<unknown>;
  patch(ref: ResourceRef, ns: string, name: string, kind: PatchKind, patch: unknown, subresource?: string): Promise<unknown>;
  delete(ref: ResourceRef, ns: string, name: string, opts?: DeleteOpts): Promise<unknown>;
  /** Events arrive asynchronously, never inside the write that caused them. `onClose` fires when the server ends the watch. */
  watch(ref: ResourceRef, ns: string | undefined, opts: WatchOpts, onEvent: (ev: ClientWatchEvent) => void, onClose: (err?: Error) => void): WatchHandle;
}
