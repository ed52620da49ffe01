// The ResourceQuota controller (pkg/controller/resourcequota): keeps every quota's status.hard and
// status.used current, with the usage evaluators of src/api/quota.

import type { ResourceQuota, ResourceQuotaStatus } from 'kubernetes-types/core/v1.js';
import { REFS, type Client, type TypedRef } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { KubeObject, Stored } from '../../client/objects.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import type { Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';
import { formatList, quotaUsage, toResourceList, type GroupResource } from '../../api/quota/evaluator.js';

const core = <T>(plural: string): TypedRef<T> => ({ group: '', version: 'v1', plural });
export const RESOURCE_QUOTAS = core<ResourceQuota>('resourcequotas');
/** The kinds whose objects quotas count (upstream discovers all; these are the ones k8ts serves that matter). */
const COUNTED: Array<TypedRef<KubeObject>> = [
  REFS.pods, REFS.services, REFS.persistentvolumeclaims, REFS.configmaps, REFS.secrets, REFS.serviceaccounts,
  core('replicationcontrollers'), RESOURCE_QUOTAS, REFS.deployments, REFS.statefulsets, REFS.replicasets, REFS.daemonsets,
  REFS.jobs, REFS.cronjobs, REFS.ingresses, REFS.poddisruptionbudgets,
];

const sameList = (a: Record<string, string> | undefined, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b).sort());

export class ResourceQuotaController implements Controller {
  private queue: WorkQueue;
  private client: Client;
  private clock: Clock;
  private quotas: Informer<ResourceQuota>;
  private counted: Array<{ resource: GroupResource; informer: Informer<KubeObject> }>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.queue = new WorkQueue(ctx.clock, { name: 'resourcequota' });
    this.quotas = ctx.informers.get(RESOURCE_QUOTAS);
    this.quotas.addIndex('namespace', (q) => [q.metadata.namespace ?? '']);
    const enqueue = (o: Stored<KubeObject>) => {
      if (o.metadata.namespace) this.queue.add(o.metadata.namespace);
    };
    this.counted = COUNTED.map((ref) => {
      const informer = ctx.informers.get(ref);
      informer.addHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
      return { resource: ref, informer };
    });
  }

  start(): void {
    runWorkers(this.queue, 1, (ns) => this.sync(ns));
  }

  stop(): void {
    this.queue.shutdown();
  }

  /** Recompute every quota of the namespace from the informer caches and write the status that changed. */
  private async sync(ns: string): Promise<void> {
    const quotas = this.quotas.byIndex('namespace', ns);
    if (quotas.length === 0) return;
    const objects = this.counted.flatMap(({ resource, informer }) =>
      informer.list().filter((o) => o.metadata.namespace === ns).map((object) => ({ resource, object })),
    );
    const now = this.clock.now();
    this.requeueWhenGraceEnds(ns, objects, now);
    for (const q of quotas) {
      const status: ResourceQuotaStatus = { hard: formatList(toResourceList(q.spec?.hard)), used: formatList(quotaUsage(q, objects, now)) };
      if (sameList(q.status?.hard, status.hard ?? {}) && sameList(q.status?.used, status.used ?? {})) continue;
      const next = structuredClone(q);
      next.status = status;
      try {
        await this.client.resource(RESOURCE_QUOTAS).updateStatus(ns, next);
      } catch (e) {
        // Deleted meanwhile: nothing to keep. A conflict means a newer quota is on its way to the informer.
        if (isStatusError(e, 'NotFound')) continue;
        throw e;
      }
    }
  }

  /** A terminating pod stops counting once its grace period is over, without any event saying so. */
  private requeueWhenGraceEnds(ns: string, objects: Array<{ resource: GroupResource; object: KubeObject }>, now: number): void {
    const ends = objects.flatMap(({ resource, object }) => {
      const m = object.metadata;
      if (resource.group !== '' || resource.plural !== 'pods' || !m?.deletionTimestamp || m.deletionGracePeriodSeconds == null) return [];
      const end = Date.parse(m.deletionTimestamp) + m.deletionGracePeriodSeconds * 1000;
      return end >= now ? [end] : [];
    });
    if (ends.length) this.queue.addAfter(ns, Math.min(...ends) - now + 1);
  }
}
