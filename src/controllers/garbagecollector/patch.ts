// The patches the collector sends (pkg/controller/garbagecollector/patch.go). The dependent's uid rides
// along in each strategic merge patch as a precondition.

import type { OwnerReference } from './identity.js';

/** Remove the owner references with these uids: `{"metadata":{"ownerReferences":[{"$patch":"delete","uid":..}],"uid":..}}`. */
export function deleteOwnerRefsPatch(dependentUid: string, ownerUids: string[]): object {
  return { metadata: { ownerReferences: ownerUids.map((uid) => ({ $patch: 'delete', uid })), uid: dependentUid } };
}

/** Turn every blocking owner reference into a non-blocking one (used to break foreground-deletion cycles). */
export function unblockOwnerRefsPatch(dependentUid: string, owners: OwnerReference[]): object {
  const refs = owners.filter((o) => o.blockOwnerDeletion === true).map((o) => ({ ...o, blockOwnerDeletion: false }));
  return { metadata: { ownerReferences: refs, uid: dependentUid } };
}

/** Merge patch that sets the finalizer list, guarded by the resourceVersion it was computed from. */
export function finalizersPatch(resourceVersion: string, finalizers: string[]): object {
  return { metadata: { resourceVersion, finalizers } };
}
