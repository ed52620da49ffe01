// ServiceAccountsController (pkg/controller/serviceaccount): every active namespace has the `default`
// ServiceAccount, recreated if it is deleted.

import { REFS, type Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export class ServiceAccountsController implements Controller {
  private queue: WorkQueue;
  private client: Client;
  private namespaces: Informer;
  private serviceAccounts: Informer;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.queue = new WorkQueue(ctx.clock);
    this.namespaces = ctx.informers.get(REFS.namespaces);
    this.serviceAccounts = ctx.informers.get(REFS.serviceaccounts);
    this.namespaces.addHandler({ add: (ns) => this.queue.add(ns.metadata.name), update: (_o, ns) => this.queue.add(ns.metadata.name) });
    this.serviceAccounts.addHandler({
      delete: (sa) => {
        if (sa.metadata.name === DEFAULT_SERVICE_ACCOUNT) this.queue.add(sa.metadata.namespace);
      },
    });
  }

  start(): void {
    runWorkers(this.queue, 1, (ns) => this.sync(ns));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private async sync(name: string): Promise<void> {
    const ns = this.namespaces.getByName('', name);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (this.serviceAccounts.getByName(name, DEFAULT_SERVICE_ACCOUNT)) return;
    try {
      await this.client.resource(REFS.serviceaccounts).create(name, { metadata: { name: DEFAULT_SERVICE_ACCOUNT } });
    } catch (e) {
      // Created meanwhile, or the namespace began terminating: the next event settles it.
      if (!isStatusError(e, 'AlreadyExists') && !isStatusError(e, 'Forbidden') && !isStatusError(e, 'NotFound')) throw e;
    }
  }
}
