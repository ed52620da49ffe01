// The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go): creates a Job for each schedule
// time on the clock, honours concurrencyPolicy, startingDeadlineSeconds and suspend, keeps status.active,
// lastScheduleTime and lastSuccessfulTime, prunes finished Jobs beyond the history limits, and requeues
// itself for the next schedule time.

import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { rfc3339, type Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';
import { getControllerOf } from '../controller_utils.js';
import { parseStandard, type Schedule } from './cron_schedule.js';
import {
  CRONJOB_KIND,
  deleteFromActiveList,
  formatSchedule,
  getJobFromTemplate,
  getJobName,
  inActiveList,
  jobRef,
  mostRecentScheduleTime,
  nextScheduleTimeDuration,
} from './cronjob_utils.js';

/** kube-controller-manager's --concurrent-cron-job-syncs default. */
const WORKERS = 5;

const keyOf = (obj: { metadata?: { namespace?: string; name?: string } }): string => `${obj.metadata?.namespace}/${obj.metadata?.name}`;

/** getFinishedStatus: Complete or Failed when that condition is True. */
function finishedStatus(job: Job): 'Complete' | 'Failed' | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

/** RFC 1123 with numeric zone in UTC, as the MissSchedule event prints it. */
function rfc1123z(t: number): string {
  const d = new Date(t);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

interface SyncResult {
  requeueAfter?: number;
  updateStatus: boolean;
  error?: unknown;
}

export class CronJobController implements Controller {
  private client: Client;
  private clock: Clock;
  private queue: WorkQueue;
  private cronJobs: Informer<CronJob>;
  private jobs: Informer<Job>;
  private recorder: EventRecorder;
  /** The resourceVersion of each CronJob's last status write, so a sync never starts from an older cached one. */
  private written = new Map<string, number>();
  private stopped = false;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.queue = new WorkQueue(ctx.clock, { name: 'cronjob' });
    this.cronJobs = ctx.informers.get(REFS.cronjobs);
    this.jobs = ctx.informers.get(REFS.jobs);
    this.recorder = ctx.recorder('cronjob-controller');
    this.jobs.addHandler({ add: (j) => this.jobChanged(j), update: (_o, j) => this.jobChanged(j), delete: (j) => this.jobChanged(j) });
    this.cronJobs.addHandler({
      add: (cj) => this.queue.add(keyOf(cj)),
      update: (old, cur) => this.updateCronJob(old, cur),
      delete: (cj) => this.written.delete(keyOf(cj)),
    });
  }

  start(): void {
    void Promise.all([this.cronJobs.waitForSync(), this.jobs.waitForSync()]).then(() => {
      if (!this.stopped) runWorkers(this.queue, WORKERS, (key) => this.sync(key));
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutdown();
  }

  private jobChanged(job: Job): void {
    const ref = getControllerOf(job);
    if (ref?.kind !== CRONJOB_KIND.kind) return;
    const cj: CronJob | undefined = this.cronJobs.getByName(job.metadata!.namespace!, ref.name);
    if (cj?.metadata?.uid === ref.uid) this.queue.add(keyOf(cj));
  }

  /** A new schedule or time zone moves the next sync to the new schedule's next time. */
  private updateCronJob(old: CronJob, cur: CronJob): void {
    if (old.spec?.schedule !== cur.spec?.schedule || old.spec?.timeZone !== cur.spec?.timeZone) {
      try {
        const after = nextScheduleTimeDuration(cur, this.clock.now(), parseStandard(formatSchedule(cur)));
        if (after !== undefined) return this.queue.addAfter(keyOf(cur), after);
      } catch {
        // an unparseable schedule is reported by the sync
      }
    }
    this.queue.add(keyOf(cur));
  }

  private async sync(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const cached: CronJob | undefined = this.cronJobs.getByName(key.slice(0, slash), key.slice(slash + 1));
    if (!cached) return;
    if (Number(cached.metadata?.resourceVersion) < (this.written.get(key) ?? 0)) return; // a newer one is on its way
    const cj: CronJob = structuredClone(cached);
    const jobs = this.jobs.byIndex('namespace', cj.metadata!.namespace!).filter((j: Job) => getControllerOf(j)?.uid === cj.metadata?.uid);
    const result = await this.syncCronJob(cj, jobs);
    if (await this.cleanupFinishedJobs(cj, jobs)) result.updateStatus = true;
    if (result.updateStatus) {
      const updated = await this.client.resource(REFS.cronjobs).updateStatus(cj.metadata!.namespace!, cj);
      this.written.set(key, Number(updated.metadata.resourceVersion));
    }
    if (result.requeueAfter !== undefined) this.queue.addAfter(key, result.requeueAfter);
    else if (result.error) throw result.error;
  }

  private async syncCronJob(cj: CronJob, jobs: Job[]): Promise<SyncResult> {
    const now = this.clock.now();
    let updateStatus = false;
    const status = (cj.status ??= {});
    for (const j of jobs) {
      const finished = finishedStatus(j);
      const found = inActiveList(cj, j.metadata?.uid);
      if (!found && !finished) {
        this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata!.name}`);
      } else if (found && finished) {
        deleteFromActiveList(cj, j.metadata?.uid);
        this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata!.name}, condition: ${finished}`);
        updateStatus = true;
      }
      // A Job need not be in the active list for its success to count.
      const completed = j.status?.completionTime;
      if (finished === 'Complete' && completed && (!status.lastSuccessfulTime || Date.parse(completed) > Date.parse(status.lastSuccessfulTime))) {
        status.lastSuccessfulTime = completed;
        updateStatus = true;
      }
    }
    // A Job in the active list that is gone must not keep the CronJob active for ever; ask the server, not the cache.
    const uids = new Set(jobs.map((j) => j.metadata?.uid));
    for (const ref of [...(status.active ?? [])]) {
      if (uids.has(ref.uid)) continue;
      try {
        await this.client.resource(REFS.jobs).get(ref.namespace ?? cj.metadata!.namespace!, ref.name!);
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) return { updateStatus, error: e };
        this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        deleteFromActiveList(cj, ref.uid);
        updateStatus = true;
      }
    }
    if (cj.metadata?.deletionTimestamp) return { updateStatus };
    const zone = cj.spec?.timeZone;
    if (zone != null) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
      } catch {
        this.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(zone)}: unknown time zone ${zone}`);
        return { updateStatus };
      }
    }
    if (cj.spec?.suspend) return { updateStatus };
    if (!zone && cj.spec!.schedule.includes('TZ')) {
      this.recorder.event(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec!.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    }
    let sched: Schedule;
    try {
      sched = parseStandard(formatSchedule(cj));
    } catch (e) {
      this.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec!.schedule)} : ${(e as Error).message}`);
      return { updateStatus };
    }
    const recent = mostRecentScheduleTime(cj, now, sched, true);
    if (recent.error) {
      this.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec!.schedule} : ${recent.error}`);
      return { updateStatus };
    }
    const next = () => ({ requeueAfter: nextScheduleTimeDuration(cj, now, sched), updateStatus });
    const scheduled = recent.mostRecent;
    if (scheduled === undefined || scheduled > now) return next();
    if (recent.missed === 'many') {
      this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline != null && scheduled + deadline * 1000 < now) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return next();
    }
    const name = getJobName(cj, scheduled);
    if ((status.active ?? []).some((r) => r.name === name) || (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === scheduled)) return next();
    if (cj.spec?.concurrencyPolicy === 'Forbid' && (status.active?.length ?? 0) > 0) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return next();
    }
    if (cj.spec?.concurrencyPolicy === 'Replace') {
      for (const ref of [...(status.active ?? [])]) {
        let job: Job;
        try {
          job = await this.client.resource(REFS.jobs).get(ref.namespace ?? cj.metadata!.namespace!, ref.name!);
        } catch (e) {
          this.recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${(e as Error).message}`);
          return { updateStatus, error: e };
        }
        if (!(await this.deleteJob(cj, job))) return { updateStatus, error: new Error(`could not replace job ${ref.namespace}/${ref.name}`) };
        updateStatus = true;
      }
    }
    let created: Job;
    try {
      created = await this.client.resource(REFS.jobs).create(cj.metadata!.namespace!, getJobFromTemplate(cj, scheduled));
    } catch (e) {
      // AlreadyExists: someone else (or an earlier sync) created it and is expected to have updated the status.
      if (!isStatusError(e, 'AlreadyExists')) this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
      return { updateStatus, error: e };
    }
    this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata!.name}`);
    status.active = [...(status.active ?? []), jobRef(created)];
    status.lastScheduleTime = rfc3339(scheduled);
    updateStatus = true;
    return { requeueAfter: nextScheduleTimeDuration(cj, now, sched), updateStatus };
  }

  /** deleteJob: background deletion, dropped from the active list, with the SuccessfulDelete event. */
  private async deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.client.resource(REFS.jobs).delete(job.metadata!.namespace!, job.metadata!.name!, { propagationPolicy: 'Background' });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) {
        this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(e as Error).message}`);
        return false;
      }
    }
    deleteFromActiveList(cj, job.metadata?.uid);
    this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata!.name}`);
    return true;
  }

  /** cleanupFinishedJobs: the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<boolean> {
    const { successfulJobsHistoryLimit: okLimit, failedJobsHistoryLimit: failLimit } = cj.spec ?? {};
    if (okLimit == null && failLimit == null) return false;
    let updated = false;
    const prune = async (list: Job[], limit: number | undefined) => {
      if (limit == null || list.length <= limit) return;
      // byJobStartTime: oldest start first, Jobs without a start time last, then by name.
      const sorted = [...list].sort((a, b) => {
        const [sa, sb] = [a.status?.startTime, b.status?.startTime];
        if (sa !== sb) return !sa ? 1 : !sb ? -1 : Date.parse(sa) - Date.parse(sb);
        return a.metadata!.name! < b.metadata!.name! ? -1 : 1;
      });
      for (const job of sorted.slice(0, list.length - limit)) if (await this.deleteJob(cj, job)) updated = true;
    };
    await prune(jobs.filter((j) => finishedStatus(j) === 'Complete'), okLimit);
    await prune(jobs.filter((j) => finishedStatus(j) === 'Failed'), failLimit);
    return updated;
  }
}
