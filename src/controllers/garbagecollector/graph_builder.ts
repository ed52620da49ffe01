// Keeps the owner→dependents graph in step with informer events and decides what the collector must look
// at (pkg/controller/garbagecollector/graph_builder.go processGraphChanges). Informer handlers run one at a
// time, so the graph is changed directly in them instead of through a separate event queue.

import { groupVersion, type ResourceInfo } from '../../api/resources.js';
import type { KubeObject, Stored } from '../../client/objects.js';
import { AbsentOwnerCache } from './absent_owner_cache.js';
import { alternateOwnerIdentity, GraphNode, partitionDependents, referencesDiffs, type ChangedReference } from './graph.js';
import { isBlocking, ownerReferenceMatchesCoordinates, sameIdentity, type ObjectIdentity, type OwnerReference } from './identity.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface GraphQueues {
  attemptToDelete(node: GraphNode): void;
  attemptToDeleteLater(node: GraphNode): void;
  attemptToOrphan(node: GraphNode): void;
  /** A dependent names an owner by uid whose observed namespace is not its own. */
  invalidNamespaceOwnerRef(dependent: GraphNode, ownerUid: string): void;
}

export function identityOf(r: ResourceInfo, obj: Stored<KubeObject>): ObjectIdentity {
  const m = obj.metadata;
  return { apiVersion: groupVersion(r), kind: r.kind, name: m.name, uid: m.uid, namespace: m.namespace ?? '' };
}

export function hasFinalizer(obj: KubeObject | undefined, finalizer: string): boolean {
  return (obj?.metadata?.finalizers ?? []).includes(finalizer);
}

/** The object is being deleted with `finalizer` now, and was not in the previous version seen. */
function deletionStartsWithFinalizer(oldObj: Stored<KubeObject> | undefined, obj: Stored<KubeObject>, finalizer: string): boolean {
  if (!obj.metadata.deletionTimestamp || !hasFinalizer(obj, finalizer)) return false;
  if (!oldObj) return true;
  return !oldObj.metadata.deletionTimestamp || !hasFinalizer(oldObj, finalizer);
}

export class GraphBuilder {
  readonly uidToNode = new Map<string, GraphNode>();

  constructor(
    private queues: GraphQueues,
    readonly absentOwnerCache: AbsentOwnerCache,
  ) {}

  /** An add or update from an informer. */
  observe(r: ResourceInfo, obj: Stored<KubeObject>, oldObj?: Stored<KubeObject>): void {
    const meta = obj.metadata;
    const owners: OwnerReference[] = meta.ownerReferences ?? [];
    let node = this.uidToNode.get(meta.uid);
    if (node?.virtual) this.markObserved(node, identityOf(r, obj));
    if (!node) {
      node = new GraphNode(identityOf(r, obj), owners, false);
      node.beingDeleted = !!meta.deletionTimestamp;
      node.deletingDependents = node.beingDeleted && hasFinalizer(obj, FOREGROUND_FINALIZER);
      this.uidToNode.set(meta.uid, node);
      this.addDependentToOwners(node, owners);
    } else {
      const { added, removed, changed } = referencesDiffs(node.owners, owners);
      if (added.length || removed.length || changed.length) {
        this.addUnblockedOwnersToDeleteQueue(removed, changed);
        node.owners = owners;
        this.addDependentToOwners(node, added);
        this.removeDependentFromOwners(node, removed);
      }
      if (meta.deletionTimestamp) node.beingDeleted = true;
    }
    this.processTransitions(oldObj, obj, node);
  }

  /** A delete from an informer. */
  observeDelete(obj: Stored<KubeObject>): void {
    const node = this.uidToNode.get(obj.metadata.uid);
    if (node) this.removeNode(node);
  }

  /** The collector found no object with `identity` (not found, or another uid under that name). */
  virtualDelete(identity: ObjectIdentity): void {
    const node = this.uidToNode.get(identity.uid);
    if (!node) return;
    if (node.virtual) {
      // Dependents may disagree on the owner's coordinates: only those naming the absent one go now.
      const { matching, nonmatching } = partitionDependents(node.dependents, identity);
      if (nonmatching.length) {
        this.deleteMatching(matching, identity);
        if (sameIdentity(node.identity, identity)) {
          const alt = alternateOwnerIdentity(nonmatching, identity);
          if (alt) {
            node.identity = alt;
            this.queues.attemptToDeleteLater(node);
          }
        }
        return;
      }
    } else if (!sameIdentity(node.identity, identity)) {
      // The observed object exists under other coordinates; only dependents naming these are orphaned.
      this.deleteMatching(partitionDependents(node.dependents, identity).matching, identity);
      return;
    }
    this.removeNode(node, identity);
  }

  private deleteMatching(matching: GraphNode[], identity: ObjectIdentity): void {
    if (!matching.length) return;
    this.absentOwnerCache.add(identity);
    for (const dep of matching) this.queues.attemptToDelete(dep);
  }

  private markObserved(node: GraphNode, observed: ObjectIdentity): void {
    if (!sameIdentity(node.identity, observed)) {
      // Dependents that named the owner wrongly are re-verified: the bad child → good parent order.
      for (const dep of partitionDependents(node.dependents, observed).nonmatching) {
        if (observed.namespace && dep.identity.namespace !== observed.namespace) this.queues.invalidNamespaceOwnerRef(dep, observed.uid);
        this.queues.attemptToDelete(dep);
      }
      node.identity = observed;
    }
    node.virtual = false;
  }

  private removeNode(node: GraphNode, identity: ObjectIdentity = node.identity): void {
    this.uidToNode.delete(node.identity.uid);
    this.removeDependentFromOwners(node, node.owners);
    if (node.dependents.size) this.absentOwnerCache.add(identity);
    for (const dep of node.dependents) this.queues.attemptToDelete(dep);
    for (const ref of node.owners) {
      const owner = this.uidToNode.get(ref.uid);
      // The owner may have been waiting for this dependent to go.
      if (owner?.deletingDependents) this.queues.attemptToDelete(owner);
    }
  }

  private addDependentToOwners(node: GraphNode, owners: OwnerReference[]): void {
    let suspicious = false;
    for (const ref of owners) {
      let owner = this.uidToNode.get(ref.uid);
      if (!owner) {
        owner = new GraphNode({ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: node.identity.namespace }, [], true);
        this.uidToNode.set(ref.uid, owner);
        owner.dependents.add(node);
        // Verified by the collector; removed again if the API server has no such object.
        this.queues.attemptToDelete(owner);
        continue;
      }
      owner.dependents.add(node);
      if (suspicious) continue;
      const ownerNamespaced = owner.identity.namespace !== '';
      if (ownerNamespaced && owner.identity.namespace !== node.identity.namespace) {
        if (!owner.virtual) this.queues.invalidNamespaceOwnerRef(node, ref.uid);
        suspicious = true;
      } else if (!ownerReferenceMatchesCoordinates(ref, owner.identity)) {
        suspicious = true;
      } else if (!ownerNamespaced && owner.identity.namespace !== node.identity.namespace && owner.virtual) {
        // A virtual cluster-scoped owner seen from another namespace may be a namespaced kind named wrongly.
        suspicious = true;
      }
    }
    // The good parent → bad child order: let the collector verify the references.
    if (suspicious) this.queues.attemptToDelete(node);
  }

  private removeDependentFromOwners(node: GraphNode, owners: OwnerReference[]): void {
    for (const ref of owners) this.uidToNode.get(ref.uid)?.dependents.delete(node);
  }

  /** A blocking reference removed or made non-blocking may let a foreground-deleting owner finish. */
  private addUnblockedOwnersToDeleteQueue(removed: OwnerReference[], changed: ChangedReference[]): void {
    const unblocked = [...removed.filter(isBlocking), ...changed.filter((c) => isBlocking(c.oldRef) && !isBlocking(c.newRef)).map((c) => c.newRef)];
    for (const ref of unblocked) {
      const owner = this.uidToNode.get(ref.uid);
      if (owner) this.queues.attemptToDelete(owner);
    }
  }

  private processTransitions(oldObj: Stored<KubeObject> | undefined, obj: Stored<KubeObject>, node: GraphNode): void {
    if (deletionStartsWithFinalizer(oldObj, obj, ORPHAN_FINALIZER)) {
      this.queues.attemptToOrphan(node);
      return;
    }
    if (deletionStartsWithFinalizer(oldObj, obj, FOREGROUND_FINALIZER)) {
      node.deletingDependents = true;
      for (const dep of node.dependents) this.queues.attemptToDelete(dep);
      this.queues.attemptToDelete(node);
    }
  }
}
