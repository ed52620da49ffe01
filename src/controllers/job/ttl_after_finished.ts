// The TTL-after-finished controller (pkg/controller/ttlafterfinished): deletes a finished Job, with its pods
// in the foreground, ttlSecondsAfterFinished after it completed or failed.

import type { Job } from 'kubernetes-types/batch/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import type { Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';
import { findCondition, isJobFinished } from './job_utils.js';

const WORKERS = 5;

const keyOf = (obj: { metadata?: { namespace?: string; name?: string } }): string => `${obj.metadata?.namespace}/${obj.metadata?.name}`;

/** When the Job became finished: the lastTransitionTime of its Complete or Failed condition. */
export function jobFinishTime(job: Job): number | undefined {
  for (const type of ['Complete', 'Failed'] as const) {
    const c = findCondition(job, type);
    if (c?.status === 'True') {
      const t = Date.parse(c.lastTransitionTime ?? '');
      return Number.isFinite(t) ? t : undefined;
    }
  }
  return undefined;
}

/** needsCleanup plus timeLeft: undefined when the Job is not up for deletion, else ms until it is (<= 0: now). */
export function ttlTimeLeft(job: Job, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl == null || !isJobFinished(job) || job.metadata?.deletionTimestamp) return undefined;
  const finished = jobFinishTime(job);
  if (finished === undefined) return undefined;
  return finished + ttl * 1000 - now;
}

export class TTLAfterFinishedController implements Controller {
  private client: Client;
  private clock: Clock;
  private queue: WorkQueue;
  private jobs: Informer<Job>;
  private stopped = false;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.queue = new WorkQueue(ctx.clock, { name: 'ttl_jobs_to_delete' });
    this.jobs = ctx.informers.get(REFS.jobs);
    this.jobs.addHandler({ add: (job) => this.enqueue(job), update: (_old, cur) => this.enqueue(cur) });
  }

  start(): void {
    void this.jobs.waitForSync().then(() => {
      if (!this.stopped) runWorkers(this.queue, WORKERS, (key) => this.sync(key));
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutdown();
  }

  private enqueue(job: Job): void {
    if (ttlTimeLeft(job, this.clock.now()) !== undefined) this.queue.add(keyOf(job));
  }

  private async sync(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const [ns, name] = [key.slice(0, slash), key.slice(slash + 1)];
    const cached: Job | undefined = this.jobs.getByName(ns, name);
    if (!cached || !(this.expired(cached))) return;
    // The cache may be stale (the TTL changed, or the Job was recreated): check a fresh read before deleting.
    let fresh: Job;
    try {
      fresh = await this.client.resource(REFS.jobs).get(ns, name);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return;
      throw e;
    }
    if (!(this.expired(fresh))) return;
    try {
      await this.client.resource(REFS.jobs).delete(ns, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata?.uid, resourceVersion: fresh.metadata?.resourceVersion } });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  /** Whether the TTL has run out; if it has not, look again when it will. */
  private expired(job: Job): boolean {
    const left = ttlTimeLeft(job, this.clock.now());
    if (left === undefined) return false;
    if (left > 0) {
      this.queue.addAfter(keyOf(job), left);
      return false;
    }
    return true;
  }
}
