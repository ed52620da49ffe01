// The garbage collector (pkg/controller/garbagecollector/garbagecollector.go): deletes objects whose owners
// are all gone, orphans dependents of owners deleted with the `orphan` finalizer, and lets owners deleted
// in the foreground go once no blocking dependent is left.

import { RESOURCES, groupVersion, type ResourceInfo } from '../../api/resources.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeObject, Stored } from '../../client/objects.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';
import { AbsentOwnerCache } from './absent_owner_cache.js';
import type { GraphNode } from './graph.js';
import { FOREGROUND_FINALIZER, GraphBuilder, hasFinalizer, ORPHAN_FINALIZER } from './graph_builder.js';
import { describeIdentity, identityOfReference, type OwnerReference } from './identity.js';
import { ObjectOperations, UnresolvableKindError } from './operations.js';
import { deleteOwnerRefsPatch, unblockOwnerRefsPatch } from './patch.js';

const COMPONENT = 'garbage-collector-controller';
/** --concurrent-gc-syncs default. */
const WORKERS = 20;

/** Every stored kind that can be listed and watched, except events (as upstream ignores them). */
export function monitoredResources(): ResourceInfo[] {
  return RESOURCES.filter((r) => !r.virtual && r.verbs.includes('list') && r.verbs.includes('watch') && !(r.group === '' && r.plural === 'events'));
}

/** A cluster-scoped object naming a namespaced owner: invalid, and retrying cannot help. */
class NamespacedOwnerOfClusterScopedObject extends Error {}
/** Ask the worker to look at the item again later, with back-off. */
class Requeue extends Error {}

interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waiting: OwnerReference[];
}

export class GarbageCollector implements Controller {
  private attemptToDelete: WorkQueue;
  private attemptToOrphan: WorkQueue;
  private ops: ObjectOperations;
  private recorder: EventRecorder;
  private informers: Array<Informer<KubeObject>> = [];
  private monitored = new Set<string>();
  private stopped = false;
  readonly graph: GraphBuilder;

  constructor(ctx: ControllerContext) {
    this.attemptToDelete = new WorkQueue(ctx.clock, { name: 'garbage_collector_attempt_to_delete' });
    this.attemptToOrphan = new WorkQueue(ctx.clock, { name: 'garbage_collector_attempt_to_orphan' });
    this.ops = new ObjectOperations(ctx.client, ctx.clock);
    this.recorder = ctx.recorder(COMPONENT);
    this.graph = new GraphBuilder(
      {
        attemptToDelete: (n) => this.attemptToDelete.add(n.identity.uid),
        attemptToDeleteLater: (n) => this.attemptToDelete.addRateLimited(n.identity.uid),
        attemptToOrphan: (n) => this.attemptToOrphan.add(n.identity.uid),
        invalidNamespaceOwnerRef: (dep, uid) => this.reportInvalidNamespaceOwnerRef(dep, uid),
      },
      new AbsentOwnerCache(),
    );
    for (const r of monitoredResources()) {
      this.monitored.add(`${groupVersion(r)}/${r.kind}`);
      const inf = ctx.informers.get<KubeObject>(r);
      inf.addHandler({
        add: (o) => this.graph.observe(r, o),
        update: (old, o) => this.graph.observe(r, o, old),
        delete: (o) => this.graph.observeDelete(o),
      });
      this.informers.push(inf);
    }
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.attemptToDelete.shutdown();
    this.attemptToOrphan.shutdown();
  }

  /** Workers start once the graph holds every monitored object, so nothing is judged on half a picture. */
  private async run(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.waitForSync()));
    if (this.stopped) return;
    runWorkers(this.attemptToDelete, WORKERS, (uid) => this.attemptToDeleteWorker(uid));
    runWorkers(this.attemptToOrphan, WORKERS, (uid) => this.attemptToOrphanWorker(uid));
  }

  private async attemptToDeleteWorker(uid: string): Promise<void> {
    const node = this.graph.uidToNode.get(uid);
    if (!node) return;
    let verified: boolean;
    try {
      verified = await this.attemptToDeleteItem(node);
    } catch (e) {
      if (e instanceof UnresolvableKindError || e instanceof NamespacedOwnerOfClusterScopedObject) return;
      throw e;
    }
    // A virtual owner that exists stays queued until its informer shows it (kubernetes#56121).
    const { apiVersion, kind } = node.identity;
    if (verified && node.virtual && this.graph.uidToNode.get(uid) === node && this.monitored.has(`${apiVersion}/${kind}`)) throw new Requeue();
  }

  /**
   * Look up the live object; delete it if every owner is absent, drop references to absent owners if some
   * owner remains. Returns false when the object turned out not to exist (the graph was told).
   */
  private async attemptToDeleteItem(item: GraphNode): Promise<boolean> {
    if (item.beingDeleted && !item.deletingDependents) return true;
    let latest: Stored<KubeObject>;
    try {
      latest = await this.ops.get(item.identity);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
      this.graph.virtualDelete(item.identity);
      return false;
    }
    if (latest.metadata.uid !== item.identity.uid) {
      this.graph.virtualDelete(item.identity);
      return false;
    }
    if (item.deletingDependents) {
      await this.processDeletingDependentsItem(item);
      return true;
    }
    const refs: OwnerReference[] = latest.metadata.ownerReferences ?? [];
    if (!refs.length) return true;
    const { solid, dangling, waiting } = await this.classifyReferences(item, refs);
    const rv = latest.metadata.resourceVersion;
    if (solid.length) {
      if (!dangling.length && !waiting.length) return true;
      // References to owners waiting in the foreground must go too, or those owners would wait forever.
      await this.patchIgnoringNotFound(item, deleteOwnerRefsPatch(item.identity.uid, [...dangling, ...waiting].map((r) => r.uid)));
      return true;
    }
    if (waiting.length && item.dependents.size) {
      if ([...item.dependents].some((d) => d.deletingDependents)) {
        // Some owner and some dependent both wait in the foreground: unblock our references to avoid a cycle.
        await this.patchIgnoringNotFound(item, unblockOwnerRefsPatch(item.identity.uid, refs));
      }
      await this.ops.delete(item.identity, rv, refs, 'Foreground');
      return true;
    }
    const policy = hasFinalizer(latest, ORPHAN_FINALIZER) ? 'Orphan' : hasFinalizer(latest, FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
    await this.ops.delete(item.identity, rv, refs, policy);
    return true;
  }

  private async processDeletingDependentsItem(item: GraphNode): Promise<void> {
    const blocking = item.blockingDependents();
    if (!blocking.length) {
      await this.ops.removeFinalizer(item.identity, FOREGROUND_FINALIZER);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.attemptToDelete.add(dep.identity.uid);
  }

  private async classifyReferences(item: GraphNode, refs: OwnerReference[]): Promise<Classified> {
    const out: Classified = { solid: [], dangling: [], waiting: [] };
    for (const ref of refs) {
      const owner = await this.liveOwner(ref, item);
      if (!owner) out.dangling.push(ref);
      else if (owner.metadata.deletionTimestamp && hasFinalizer(owner, FOREGROUND_FINALIZER)) out.waiting.push(ref);
      else out.solid.push(ref);
    }
    return out;
  }

  /** isDangling: the owner as the API server has it, or undefined when absent (not found, or another uid). */
  private async liveOwner(ref: OwnerReference, item: GraphNode): Promise<Stored<KubeObject> | undefined> {
    const cache = this.graph.absentOwnerCache;
    if (cache.has(identityOfReference(ref, '')) || cache.has(identityOfReference(ref, item.identity.namespace))) return undefined;
    const r = this.ops.resolve(ref.apiVersion, ref.kind);
    if (!r) throw new UnresolvableKindError(ref.apiVersion, ref.kind);
    if (r.namespaced && !item.identity.namespace) throw new NamespacedOwnerOfClusterScopedObject();
    // A namespaced owner is only looked for in the dependent's namespace: cross-namespace references are absent.
    const id = identityOfReference(ref, r.namespaced ? item.identity.namespace : '');
    let owner: Stored<KubeObject>;
    try {
      owner = await this.ops.get(id);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
      cache.add(id);
      return undefined;
    }
    if (owner.metadata.uid !== ref.uid) {
      cache.add(id);
      return undefined;
    }
    return owner;
  }

  /** Remove the owner's references from every dependent, then the `orphan` finalizer from the owner. */
  private async attemptToOrphanWorker(uid: string): Promise<void> {
    const owner = this.graph.uidToNode.get(uid);
    if (!owner) return;
    const failures: string[] = [];
    await Promise.all(
      [...owner.dependents].map(async (dep) => {
        try {
          await this.ops.patch(dep.identity, 'strategic', deleteOwnerRefsPatch(dep.identity.uid, [uid]));
        } catch (e) {
          if (!isStatusError(e, 'NotFound')) failures.push(`orphaning ${describeIdentity(dep.identity)} failed, ${(e as Error).message}`);
        }
      }),
    );
    if (failures.length) throw new Error(`failed to orphan dependents of owner ${describeIdentity(owner.identity)}, got errors: ${failures.join(', ')}`);
    await this.ops.removeFinalizer(owner.identity, ORPHAN_FINALIZER);
  }

  private async patchIgnoringNotFound(item: GraphNode, body: object): Promise<void> {
    try {
      await this.ops.patch(item.identity, 'strategic', body);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  private reportInvalidNamespaceOwnerRef(dep: GraphNode, ownerUid: string): void {
    const ref = dep.owners.find((o) => o.uid === ownerUid);
    if (!ref) return;
    const { apiVersion, kind, name, uid, namespace } = dep.identity;
    const involved = { apiVersion, kind, metadata: { name, uid, namespace: namespace || undefined } };
    const message = `ownerRef ${describeIdentity(identityOfReference(ref, namespace))} does not exist in namespace "${namespace}"`;
    this.recorder.event(involved, 'Warning', 'OwnerRefInvalidNamespace', message);
  }
}
