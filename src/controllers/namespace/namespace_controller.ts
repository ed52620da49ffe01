// Namespace lifecycle (pkg/controller/namespace): when a namespace is deleted, delete everything in
// it, record on its status conditions what is still there and why, and once nothing is left remove
// the `kubernetes` finalizer so the namespace goes.

import type { Namespace } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { Stored } from '../../client/objects.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { rfc3339, type Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';
import { updateConditions, type DeletionOutcome } from './deletion_conditions.js';
import { deleteAllContent } from './namespaced_resources_deleter.js';

const FINALIZER = 'kubernetes';
// Upstream requeues after estimate/2+1 seconds; the content is not watched here either, so a short
// fixed recheck keeps a namespace from lingering after its last object goes.
const RECHECK_MS = 1000;

export class NamespaceController implements Controller {
  private queue: WorkQueue;
  private client: Client;
  private clock: Clock;
  private namespaces: Informer<Namespace>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.queue = new WorkQueue(ctx.clock, { name: 'namespace' });
    this.namespaces = ctx.informers.get(REFS.namespaces);
    this.namespaces.addHandler({
      add: (ns) => this.enqueue(ns),
      update: (_o, ns) => this.enqueue(ns),
    });
  }

  private enqueue(ns: Stored<Namespace>): void {
    if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name);
  }

  start(): void {
    runWorkers(this.queue, 1, (name) => this.sync(name));
  }

  stop(): void {
    this.queue.shutdown();
  }

  /** namespacedResourcesDeleter.Delete. */
  private async sync(name: string): Promise<void> {
    if (!this.namespaces.getByName('', name)?.metadata.deletionTimestamp) return;
    // Other controllers edit a terminating namespace too: work from its latest state.
    let ns: Stored<Namespace>;
    try {
      ns = await this.client.resource(REFS.namespaces).get('', name);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return;
      throw e;
    }
    const deletedAt = ns.metadata.deletionTimestamp;
    if (!deletedAt) return;
    const now = this.clock.now();
    const pass = await deleteAllContent(this.client, name, Date.parse(deletedAt), now);
    const written = await this.writeStatus(ns, pass, now);
    if (written === undefined) return;
    if (pass.estimate > 0 || pass.deleteErrors.length > 0) {
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    if (written.spec?.finalizers?.includes(FINALIZER)) await this.finalize(written);
  }

  /** The conditions of this pass (and the Terminating phase) on the namespace's status; undefined once it is gone. */
  private async writeStatus(ns: Stored<Namespace>, pass: DeletionOutcome, now: number): Promise<Stored<Namespace> | undefined> {
    const { conditions, changed } = updateConditions(ns.status?.conditions, pass, rfc3339(now));
    if (!changed && ns.status?.phase === 'Terminating') return ns;
    const next = structuredClone(ns);
    next.status = { ...next.status, phase: 'Terminating', conditions };
    try {
      return await this.client.resource(REFS.namespaces).updateStatus('', next);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      // A conflict only means someone else wrote first: the next pass writes the conditions again.
      if (!isStatusError(e, 'Conflict')) throw e;
      this.queue.addAfter(ns.metadata.name, RECHECK_MS);
      return undefined;
    }
  }

  /** finalizeNamespace: drop only our token; other finalizers keep the namespace for their owners. */
  private async finalize(ns: Stored<Namespace>): Promise<void> {
    const next = structuredClone(ns);
    next.spec = { ...next.spec, finalizers: [...new Set(ns.spec?.finalizers ?? [])].filter((f) => f !== FINALIZER).sort() };
    try {
      await this.client.resource(REFS.namespaces).updateSubresource('', next, 'finalize');
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
