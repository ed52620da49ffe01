// The objects a client gets back: kubernetes-types' shapes, with the metadata the server always sets.

import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export interface StoredMeta extends ObjectMeta {
  name: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
}

/** Any API object as a transport carries it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** A stored `T`: what a get, list, watch or write returns (frozen and shared; clone before changing). */
export type Stored<T extends KubeObject> = Omit<T, 'metadata'> & { metadata: StoredMeta };

/** A list of stored `T`. */
export interface StoredList<T extends KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Array<Stored<T>>;
}

/** What code not yet typed gets: `any` stays `any`, anything else is `Stored<T>`. */
export type Obj<T> = 0 extends 1 & T ? any : T extends KubeObject ? Stored<T> : never; // eslint-disable-line @typescript-eslint/no-explicit-any -- the untyped default of the generic client
