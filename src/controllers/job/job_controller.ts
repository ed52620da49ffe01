// The Job controller (pkg/controller/job/job_controller.go): watches Jobs and their pods, creates pods up to
// parallelism and the remaining completions, counts finished pods through the tracking finalizer, and
// finishes the Job on success, backoffLimit or activeDeadlineSeconds.

import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { rfc3339, type Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { fromLabelSelector } from '../../machinery/labels.js';
import type { Controller, ControllerContext } from '../context.js';
import { clientPodPatcher, PodControllerRefManager, recheckDeletionTimestamp, type PodPatcher } from '../controller_ref_manager.js';
import { getControllerOf } from '../controller_utils.js';
import { getRemainingTime, newBackoffRecord, type BackoffRecord } from './backoff_utils.js';
import { calculateSucceededIndexes, firstPendingIndexes, invalidIndexPods } from './indexed_job_utils.js';
import { JobExpectations } from './job_expectations.js';
import { JobPodControl } from './job_pod_control.js';
import { trackJobStatusAndRemoveFinalizers } from './job_status.js';
import {
  countReadyPods,
  ensureJobConditionStatus,
  findCondition,
  hasJobTrackingFinalizer,
  isIndexedJob,
  isJobFinished,
  isPodActive,
  isPodFailed,
  isPodTerminating,
  JOB_KIND,
  jobSuspended,
  newCondition,
  onlyReplaceFailedPods,
} from './job_utils.js';

/** kube-controller-manager's --concurrent-job-syncs default. */
const WORKERS = 5;
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

const keyOf = (obj: { metadata?: { namespace?: string; name?: string } }): string => `${obj.metadata?.namespace}/${obj.metadata?.name}`;

export class JobController implements Controller {
  private client: Client;
  private clock: Clock;
  private queue: WorkQueue;
  private jobs: Informer<Job>;
  private pods: Informer<Pod>;
  private recorder: EventRecorder;
  private podControl: JobPodControl;
  private expectations = new JobExpectations();
  private backoff = new Map<string, BackoffRecord>();
  /** The resourceVersion of each Job's last status write, so a sync never starts from an older cached Job. */
  private written = new Map<string, number>();
  private stopped = false;
  private podPatcher: PodPatcher;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.podPatcher = clientPodPatcher(ctx.client);
    this.clock = ctx.clock;
    this.queue = new WorkQueue(ctx.clock, { name: 'job' });
    this.jobs = ctx.informers.get(REFS.jobs);
    this.pods = ctx.informers.get(REFS.pods);
    this.recorder = ctx.recorder('job-controller');
    this.podControl = new JobPodControl(ctx.client, this.recorder);
    this.jobs.addHandler({
      add: (job) => this.enqueue(job),
      update: (_old, cur) => this.enqueue(cur),
      delete: (job) => this.deleteJob(job),
    });
    this.pods.addHandler({
      add: (pod) => this.podChanged(pod, false),
      update: (old, cur) => {
        if (old.metadata?.resourceVersion !== cur.metadata?.resourceVersion) this.podChanged(cur, false);
      },
      delete: (pod) => this.podChanged(pod, true),
    });
  }

  start(): void {
    void Promise.all([this.jobs.waitForSync(), this.pods.waitForSync()]).then(() => {
      if (!this.stopped) runWorkers(this.queue, WORKERS, (key) => this.sync(key));
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutdown();
  }

  private enqueue(job: Job, afterMs = 0): void {
    this.queue.addAfter(keyOf(job), afterMs);
  }

  private resolveControllerRef(namespace: string, ref: OwnerReference | undefined): Job | undefined {
    if (ref?.kind !== JOB_KIND.kind || ref.apiVersion.split('/')[0] !== 'batch') return undefined;
    const job: Job | undefined = this.jobs.getByName(namespace, ref.name);
    return job?.metadata?.uid === ref.uid ? job : undefined;
  }

  private podChanged(pod: Pod, gone: boolean): void {
    const ref = getControllerOf(pod);
    const job = this.resolveControllerRef(pod.metadata!.namespace!, ref);
    if (job) {
      this.expectations.observe(keyOf(job), pod, gone);
      this.enqueue(job);
      return;
    }
    if (!gone && hasJobTrackingFinalizer(pod) && (!ref || ref.kind === JOB_KIND.kind)) this.syncOrphanPod(pod, ref).catch(() => undefined);
  }

  /**
   * syncOrphanPod: an orphan's tracking finalizer would only block its deletion. The cache may simply not
   * have the Job yet, so the owner is looked up on the server before the finalizer goes.
   */
  private async syncOrphanPod(pod: Pod, ref: OwnerReference | undefined): Promise<void> {
    if (ref) {
      try {
        const job: Job = await this.client.resource(REFS.jobs).get(pod.metadata!.namespace!, ref.name);
        if (job.metadata?.uid === ref.uid) return;
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
    }
    await this.podControl.removeTrackingFinalizer(pod);
  }

  private deleteJob(job: Job): void {
    const key = keyOf(job);
    this.expectations.forget(key);
    this.backoff.delete(key);
    this.written.delete(key);
    for (const pod of this.pods.byIndex('namespace', job.metadata!.namespace!)) {
      if (getControllerOf(pod)?.uid === job.metadata?.uid && hasJobTrackingFinalizer(pod)) this.podControl.removeTrackingFinalizer(pod).catch(() => undefined);
    }
  }

  private async getPodsForJob(job: Job): Promise<Pod[]> {
    const selector = fromLabelSelector(job.spec?.selector);
    const canAdopt = recheckDeletionTimestamp(async () => {
      const fresh: Job = await this.client.resource(REFS.jobs).get(job.metadata!.namespace!, job.metadata!.name!);
      if (fresh.metadata?.uid !== job.metadata?.uid) throw new Error(`original Job ${keyOf(job)} is gone: got uid ${fresh.metadata?.uid}, wanted ${job.metadata?.uid}`);
      return fresh;
    });
    const manager = new PodControllerRefManager(this.podPatcher, job, selector, JOB_KIND, canAdopt);
    const { claimed, errors } = await manager.claimPods(this.pods.byIndex('namespace', job.metadata!.namespace!));
    if (errors.length) throw errors[0];
    return claimed;
  }

  private async sync(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const cached: Job | undefined = this.jobs.getByName(key.slice(0, slash), key.slice(slash + 1));
    if (!cached) {
      this.expectations.forget(key);
      this.backoff.delete(key);
      return;
    }
    const rv = Number(cached.metadata?.resourceVersion);
    if (rv < (this.written.get(key) ?? 0)) return; // the informer will bring the newer Job and sync again
    if (isJobFinished(cached)) {
      this.backoff.delete(key);
      return;
    }
    const job: Job = structuredClone(cached);
    const status = (job.status ??= {});
    const now = this.clock.now();
    const satisfied = this.expectations.satisfied(key);
    const pods = await this.getPodsForJob(job);
    const rmFinalizers = this.expectations.finalizersBeingRemoved(key);
    const activePods = pods.filter(isPodActive);
    let terminating = pods.filter(isPodTerminating).length;
    let active = activePods.length;
    const uncountedSucceeded = new Set(status.uncountedTerminatedPods?.succeeded ?? []);
    const uncountedFailed = new Set(status.uncountedTerminatedPods?.failed ?? []);
    const tracked = (p: Pod) => hasJobTrackingFinalizer(p) && !rmFinalizers.has(p.metadata!.uid!);
    const newSucceeded = pods.filter((p) => tracked(p) && p.status?.phase === 'Succeeded' && !uncountedSucceeded.has(p.metadata!.uid!));
    const newFailed = pods.filter((p) => tracked(p) && isPodFailed(p, job) && !uncountedFailed.has(p.metadata!.uid!));
    let succeeded = (status.succeeded ?? 0) + newSucceeded.length + uncountedSucceeded.size;
    const failed = (status.failed ?? 0) + newFailed.length + uncountedFailed.size;
    let ready = countReadyPods(activePods);
    if (!status.startTime && !jobSuspended(job)) status.startTime = rfc3339(now);
    const backoff = newBackoffRecord(this.backoff.get(key), newSucceeded, newFailed);

    let finishedCondition: JobCondition | undefined = findCondition(job, 'SuccessCriteriaMet');
    if (finishedCondition?.status !== 'True') finishedCondition = undefined;
    if (!finishedCondition) {
      const target = findCondition(job, 'FailureTarget');
      if (target?.status === 'True') finishedCondition = target;
      else if (failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, activePods)) {
        finishedCondition = newCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      } else if (this.pastActiveDeadline(job, now)) {
        finishedCondition = newCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      } else if (job.spec?.activeDeadlineSeconds != null && !jobSuspended(job)) {
        this.queue.addAfter(key, job.spec.activeDeadlineSeconds * 1000 - (now - Date.parse(status.startTime!)));
      }
    }
    const succeededIndexes = isIndexedJob(job) ? calculateSucceededIndexes(job, pods).all : new Set<number>();
    if (isIndexedJob(job)) succeeded = succeededIndexes.size;

    let suspendCondChanged = false;
    let manageErr: unknown;
    if (finishedCondition) {
      const { deleted, deletedReady, error } = await this.deletePods(key, job, activePods);
      if (deleted !== active || !satisfied) finishedCondition = undefined;
      active -= deleted;
      ready -= deletedReady;
      terminating += deleted;
      manageErr = error;
    } else {
      let manageCalled = false;
      if (satisfied && !job.metadata?.deletionTimestamp) {
        const r = await this.manageJob(key, job, activePods, succeeded, succeededIndexes, terminating, backoff);
        ({ active, manageErr } = r);
        ready -= r.deletedReady;
        terminating += r.deleted;
        manageCalled = true;
      }
      const completions = job.spec?.completions;
      const complete = completions == null ? succeeded > 0 && active === 0 : succeeded >= completions && active === 0;
      if (complete) {
        finishedCondition = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      } else if (manageCalled) {
        const conds = status.conditions ?? [];
        if (jobSuspended(job)) {
          [status.conditions, suspendCondChanged] = ensureJobConditionStatus(conds, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
          if (suspendCondChanged) this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
        } else {
          [status.conditions, suspendCondChanged] = ensureJobConditionStatus(conds, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
          if (suspendCondChanged) {
            this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
            // activeDeadlineSeconds counts continuous activity, so it starts again on resume.
            status.startTime = rfc3339(now);
          }
        }
      }
    }
    const needsFlush = suspendCondChanged || active !== (status.active ?? 0) || ready !== status.ready || terminating !== status.terminating;
    status.active = active;
    status.ready = ready;
    status.terminating = terminating;
    await trackJobStatusAndRemoveFinalizers(
      { job, pods, rmFinalizers, finishedCondition, terminating, needsFlush },
      {
        now: () => this.clock.now(),
        updateStatus: (j) => this.updateStatus(key, j),
        removeFinalizers: (ps) => this.removeFinalizers(key, ps),
        recordFinished: (j, cond) => {
          if (cond.type === 'Complete') this.recorder.event(j, 'Normal', 'Completed', 'Job completed');
          else this.recorder.event(j, 'Warning', cond.reason ?? '', cond.message ?? '');
        },
      },
    );
    this.backoff.set(key, backoff);
    if (manageErr) throw manageErr;
  }

  private pastActiveDeadline(job: Job, now: number): boolean {
    const ads = job.spec?.activeDeadlineSeconds;
    const start = job.status?.startTime;
    if (ads == null || !start || jobSuspended(job)) return false;
    return now - Date.parse(start) >= ads * 1000;
  }

  private async updateStatus(key: string, job: Job): Promise<Job> {
    const updated: Job = structuredClone(await this.client.resource(REFS.jobs).updateStatus(job.metadata!.namespace!, job));
    this.written.set(key, Number(updated.metadata?.resourceVersion));
    return updated;
  }

  private async removeFinalizers(key: string, pods: Pod[]): Promise<{ removed: Pod[]; error?: unknown }> {
    const removed: Pod[] = [];
    let error: unknown;
    await Promise.all(
      pods.map(async (pod) => {
        try {
          this.expectations.expectFinalizerRemoved(key, pod.metadata!.uid!);
          await this.podControl.removeTrackingFinalizer(pod);
          removed.push(pod);
        } catch (e) {
          error ??= e;
        }
      }),
    );
    return { removed, error };
  }

  private async deletePods(key: string, job: Job, pods: Pod[]): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
    let deleted = 0;
    let deletedReady = 0;
    let error: unknown;
    await Promise.all(
      pods.map(async (pod) => {
        try {
          this.expectations.expectDelete(key, pod.metadata!.name!);
          await this.podControl.deletePod(job, pod);
          deleted++;
          if (countReadyPods([pod])) deletedReady++;
        } catch (e) {
          error ??= e;
        }
        const seen: Pod | undefined = this.pods.getByName(pod.metadata!.namespace!, pod.metadata!.name!);
        if (!seen || seen.metadata?.deletionTimestamp || error) this.expectations.observe(key, pod, true);
      }),
    );
    return { deleted, deletedReady, error };
  }

  /** manageJob: delete what is too many, create what is missing (after the back-off), or delete all when suspended. */
  private async manageJob(
    key: string,
    job: Job,
    activePods: Pod[],
    succeeded: number,
    succeededIndexes: Set<number>,
    terminating: number,
    backoff: BackoffRecord,
  ): Promise<{ active: number; deleted: number; deletedReady: number; manageErr?: unknown }> {
    const active = activePods.length;
    if (jobSuspended(job)) {
      const r = await this.deletePods(key, job, activePods);
      return { active: active - r.deleted, deleted: r.deleted, deletedReady: r.deletedReady, manageErr: r.error };
    }
    const parallelism = job.spec?.parallelism ?? 1;
    const completions = job.spec?.completions;
    let wantActive: number;
    if (completions == null) wantActive = succeeded > 0 ? active : parallelism;
    else wantActive = Math.max(0, Math.min(completions - succeeded, parallelism));
    const toDelete = podsForRemoval(job, activePods, succeededIndexes, Math.max(0, active - wantActive)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (toDelete.length) {
      const r = await this.deletePods(key, job, toDelete);
      return { active: active - r.deleted, deleted: r.deleted, deletedReady: r.deletedReady, manageErr: r.error };
    }
    if (active >= wantActive || (onlyReplaceFailedPods(job) && terminating > 0)) return { active, deleted: 0, deletedReady: 0 };
    const wait = getRemainingTime(backoff, this.clock.now());
    if (wait > 0) {
      this.queue.addAfter(key, wait);
      return { active, deleted: 0, deletedReady: 0 };
    }
    const diff = Math.min(wantActive - active, MAX_POD_CREATE_DELETE_PER_SYNC);
    const indexes: Array<number | undefined> = isIndexedJob(job) ? firstPendingIndexes(job, activePods, succeededIndexes, diff) : Array.from({ length: diff }, () => undefined);
    // Slow start: batches of 1, 2, 4, ... so that a template that cannot be created fails once, not diff times.
    let created = 0;
    let manageErr: unknown;
    for (let batch = 1, i = 0; i < indexes.length && !manageErr; i += batch, batch *= 2) {
      await Promise.all(
        indexes.slice(i, i + batch).map(async (ix) => {
          try {
            const pod = await this.podControl.createPod(job, ix);
            created++;
            if (!this.pods.getByName(pod.metadata!.namespace!, pod.metadata!.name!)) this.expectations.expectCreate(key, pod.metadata!.name!);
          } catch (e) {
            // A namespace being terminated refuses every pod: nothing to retry.
            if (!isStatusError(e, 'Forbidden')) manageErr ??= e;
          }
        }),
      );
    }
    return { active: active + created, deleted: 0, deletedReady: 0, manageErr };
  }
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count against the limit. */
function pastBackoffLimitOnFailure(job: Job, activePods: Pod[]): boolean {
  if (job.spec?.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of activePods) {
    for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) restarts += cs.restartCount;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** activePodsForRemoval: invalid indexes first, then not-ready before ready and newer before older. */
function podsForRemoval(job: Job, activePods: Pod[], succeededIndexes: Set<number>, atLeast: number): Pod[] {
  const first = isIndexedJob(job) ? invalidIndexPods(job, activePods, succeededIndexes) : [];
  if (first.length >= atLeast) return first;
  const rest = activePods
    .filter((p) => !first.includes(p))
    .sort((a, b) => countReadyPods([a]) - countReadyPods([b]) || Date.parse(b.metadata?.creationTimestamp ?? '') - Date.parse(a.metadata?.creationTimestamp ?? ''));
  return [...first, ...rest.slice(0, atLeast - first.length)];
}
