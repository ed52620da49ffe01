// Namespace lifecycle (pkg/controller/namespace): when a namespace is deleted, delete everything in
// it, wait until nothing is left, then remove the `kubernetes` finalizer so the namespace goes.

import type { Namespace } from 'kubernetes-types/core/v1.js';
import { RESOURCES } from '../../api/resources.js';
import { REFS, type Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { KubeObject, Stored } from '../../client/objects.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';

const NAMESPACED = RESOURCES.filter((r) => r.namespaced && !r.virtual && r.verbs.includes('list'));
const RECHECK_MS = 1000;

export class NamespaceController implements Controller {
  private queue: WorkQueue;
  private client: Client;
  private namespaces: Informer<Namespace>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
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

  private async sync(name: string): Promise<void> {
    const ns = this.namespaces.getByName('', name);
    if (!ns?.metadata.deletionTimestamp) return;
    for (const r of NAMESPACED) {
      const rc = this.client.resource<KubeObject>(r);
      for (const item of (await rc.list(name)).items) {
        if (item.metadata.deletionTimestamp) continue;
        try {
          await rc.delete(name, item.metadata.name, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!isStatusError(e, 'NotFound')) throw e;
        }
      }
    }
    let remaining = 0;
    for (const r of NAMESPACED) remaining += (await this.client.resource<KubeObject>(r).list(name)).items.length;
    if (remaining > 0) {
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    if (!ns.spec?.finalizers?.length) return;
    const next = structuredClone(ns);
    next.spec = { ...next.spec, finalizers: [] };
    await this.client.resource(REFS.namespaces).updateSubresource('', next, 'finalize');
  }
}
