// What Go's decoding makes of objects before they are stored, so that stored objects compare and hash
// as kube-apiserver's do.

import { isPlainObject } from '../machinery/objects.js';
import type { KObject } from '../storage/store.js';

/** Go's omitempty: empty label, annotation, owner and finalizer lists are not stored. */
export function dropEmptyMeta(objectMeta: KObject['metadata']): void {
  const meta = objectMeta as Record<string, unknown>;
  for (const k of ['labels', 'annotations', 'ownerReferences', 'finalizers']) {
    const v = meta[k];
    if (v !== undefined && (v === null || (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0))) delete meta[k];
  }
}

/**
 * Go decodes `creationTimestamp: null` (what kubectl sends in templates, e.g. on `rollout undo`) as
 * the zero time, the same as no timestamp; stored templates must compare and hash alike either way.
 */
export function dropNullTemplateTimestamps(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) dropNullTemplateTimestamps(x);
    return;
  }
  if (!isPlainObject(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'metadata' && isPlainObject(x) && x.creationTimestamp === null) delete x.creationTimestamp;
    dropNullTemplateTimestamps(x);
  }
}
