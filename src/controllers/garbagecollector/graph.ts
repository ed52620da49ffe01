// The dependency graph's nodes and the pure functions over them (pkg/controller/garbagecollector/graph.go
// and the helpers of graph_builder.go). A node is keyed by uid; a "virtual" node stands for an owner that
// some dependent names but that no informer has shown yet.

import { identityOfReference, isBlocking, ownerReferenceMatchesCoordinates, referenceLessThan, sameIdentity, type ObjectIdentity, type OwnerReference } from './identity.js';

export class GraphNode {
  readonly dependents = new Set<GraphNode>();
  /** deletionTimestamp was seen; a one-way trip. */
  beingDeleted = false;
  /** deletionTimestamp with the foregroundDeletion finalizer: waiting for blocking dependents to go. */
  deletingDependents = false;

  constructor(
    public identity: ObjectIdentity,
    public owners: OwnerReference[],
    public virtual: boolean,
  ) {}

  /** Dependents whose reference to this node has blockOwnerDeletion: true. */
  blockingDependents(): GraphNode[] {
    const out: GraphNode[] = [];
    for (const dep of this.dependents) {
      if (dep.owners.some((o) => o.uid === this.identity.uid && isBlocking(o))) out.push(dep);
    }
    return out;
  }
}

export interface ChangedReference {
  oldRef: OwnerReference;
  newRef: OwnerReference;
}

export interface ReferenceDiffs {
  added: OwnerReference[];
  removed: OwnerReference[];
  changed: ChangedReference[];
}

/** referencesDiffs: owner references added, removed, or changed in any field, matched by uid. */
export function referencesDiffs(oldRefs: OwnerReference[], newRefs: OwnerReference[]): ReferenceDiffs {
  const oldByUid = new Map(oldRefs.map((r) => [r.uid, r]));
  const added: OwnerReference[] = [];
  const changed: ChangedReference[] = [];
  for (const r of newRefs) {
    const old = oldByUid.get(r.uid);
    if (!old) added.push(r);
    else {
      oldByUid.delete(r.uid);
      if (!sameReference(old, r)) changed.push({ oldRef: old, newRef: r });
    }
  }
  return { added, removed: [...oldByUid.values()], changed };
}

function sameReference(a: OwnerReference, b: OwnerReference): boolean {
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.uid === b.uid &&
    (a.controller ?? null) === (b.controller ?? null) &&
    (a.blockOwnerDeletion ?? null) === (b.blockOwnerDeletion ?? null)
  );
}

/**
 * Split dependents by whether their reference to `owner.uid` matches `owner`'s coordinates (and, for a
 * namespaced owner, its namespace). A dependent naming the uid twice, differently, can land in both.
 */
export function partitionDependents(dependents: Iterable<GraphNode>, owner: ObjectIdentity): { matching: GraphNode[]; nonmatching: GraphNode[] } {
  const matching: GraphNode[] = [];
  const nonmatching: GraphNode[] = [];
  for (const dep of dependents) {
    let match = false;
    let mismatch = false;
    if (owner.namespace && owner.namespace !== dep.identity.namespace) mismatch = true;
    else {
      for (const ref of dep.owners) {
        if (ref.uid !== owner.uid) continue;
        if (ownerReferenceMatchesCoordinates(ref, owner)) match = true;
        else mismatch = true;
      }
    }
    if (match) matching.push(dep);
    if (mismatch) nonmatching.push(dep);
  }
  return { matching, nonmatching };
}

/**
 * getAlternateOwnerIdentity: another identity the dependents use for `absent.uid`, the first one that sorts
 * after `absent` (wrapping around), so repeated verification walks through all of them.
 */
export function alternateOwnerIdentity(dependents: Iterable<GraphNode>, absent: ObjectIdentity): ObjectIdentity | undefined {
  const clusterScoped = absent.namespace === '';
  let first: ObjectIdentity | undefined;
  let firstFollowing: ObjectIdentity | undefined;
  for (const dep of dependents) {
    for (const ref of dep.owners) {
      if (ref.uid !== absent.uid) continue;
      if (ownerReferenceMatchesCoordinates(ref, absent) && (clusterScoped || absent.namespace === dep.identity.namespace)) continue;
      const alt = identityOfReference(ref, dep.identity.namespace);
      if (clusterScoped && alt.apiVersion === absent.apiVersion && alt.kind === absent.kind) alt.namespace = '';
      if (sameIdentity(alt, absent)) continue;
      if (!first || referenceLessThan(alt, first)) first = alt;
      if (referenceLessThan(absent, alt) && (!firstFollowing || referenceLessThan(alt, firstFollowing))) firstFollowing = alt;
    }
  }
  return firstFollowing ?? first;
}
