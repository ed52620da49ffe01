// PV protection (pkg/controller/volume/pvprotection): a volume keeps the `kubernetes.io/pv-protection`
// finalizer while it is Bound, so deleting a bound volume leaves it Terminating until its claim lets go.

import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { Stored } from '../../client/objects.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';
import { PV_PROTECTION_FINALIZER } from '../../api/storage/annotations.js';
import { needsProtectionWork } from './pvc_protection_controller.js';

export class PVProtectionController implements Controller {
  private queue: WorkQueue;
  private client: Client;
  private volumes: Informer<PersistentVolume>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.queue = new WorkQueue(ctx.clock, { name: 'pvprotection' });
    this.volumes = ctx.informers.get(REFS.persistentvolumes);
    this.volumes.addHandler({
      add: (pv) => this.enqueue(pv),
      update: (_old, pv) => this.enqueue(pv),
    });
  }

  start(): void {
    runWorkers(this.queue, 1, (name) => this.sync(name));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private enqueue(pv: Stored<PersistentVolume>): void {
    if (needsProtectionWork(pv, PV_PROTECTION_FINALIZER)) this.queue.add(pv.metadata.name);
  }

  private async sync(name: string): Promise<void> {
    const pv = this.volumes.getByName('', name);
    if (!pv || !needsProtectionWork(pv, PV_PROTECTION_FINALIZER)) return;
    const next = structuredClone(pv);
    if (!pv.metadata.deletionTimestamp) {
      next.metadata.finalizers = [...(next.metadata.finalizers ?? []), PV_PROTECTION_FINALIZER];
    } else if (pv.status?.phase !== 'Bound') {
      next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== PV_PROTECTION_FINALIZER);
    } else {
      return;
    }
    try {
      await this.client.resource(REFS.persistentvolumes).update('', next);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
