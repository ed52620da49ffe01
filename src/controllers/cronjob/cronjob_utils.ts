// Schedule arithmetic and Job construction of the CronJob controller (pkg/controller/cronjob/utils.go).

import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { newControllerRef, type GroupVersionKind } from '../controller_utils.js';
import type { Schedule } from './cron_schedule.js';

export const CRONJOB_KIND: GroupVersionKind = { apiVersion: 'batch/v1', kind: 'CronJob' };
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Requeue a little after the scheduled time, so the sync sees it as due (nextScheduleDelta). */
const NEXT_SCHEDULE_DELTA_MS = 100;

export type Missed = 'none' | 'few' | 'many';

export interface RecentSchedule {
  earliest: number;
  mostRecent?: number;
  missed: Missed;
  error?: string;
}

const creationTime = (cj: CronJob): number => Date.parse(cj.metadata?.creationTimestamp ?? '');

/** mostRecentScheduleTime: the latest schedule time at or before `now` that is not yet processed. */
export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: Schedule, includeStartingDeadline: boolean): RecentSchedule {
  let earliest = creationTime(cj);
  if (cj.status?.lastScheduleTime) earliest = Date.parse(cj.status.lastScheduleTime);
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && deadline != null) earliest = Math.max(earliest, now - deadline * 1000);
  const t1 = schedule.next(earliest);
  const t2 = t1 === undefined ? undefined : schedule.next(t1);
  if (t1 === undefined || now < t1) return { earliest, missed: 'none' };
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  // A rough count of the schedules that fit between the first missed one and now.
  const missedCount = Math.floor((now - t1) / 1000 / between) + 1;
  let mostRecent: number | undefined;
  const potentialEarliest = t1 + (missedCount - 2) * between * 1000;
  for (let t = schedule.next(potentialEarliest); t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
  const missed: Missed = missedCount > 100 ? 'many' : 'few';
  return { earliest, mostRecent, missed };
}

/** nextScheduleTimeDuration: how long until the sync after the next schedule time. */
export function nextScheduleTimeDuration(cj: CronJob, now: number, schedule: Schedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, schedule, false);
  let from: number;
  if (r.error) from = now;
  else if (r.mostRecent !== undefined) from = r.mostRecent;
  else from = r.missed === 'none' ? r.earliest : now;
  const next = schedule.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}

/** getTimeHashInMinutes: the name suffix of the Job for a scheduled time. */
export const getJobName = (cj: CronJob, scheduled: number): string => `${cj.metadata!.name}-${Math.floor(scheduled / 60_000)}`;

/** Go's time.RFC3339 of an instant in a zone ("2026-01-01T09:00:00+09:00", or "...Z" in UTC). */
export function formatRFC3339InZone(t: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  const wall = Date.UTC(Number(get('year')), Number(get('month')) - 1, Number(get('day')), Number(get('hour')), Number(get('minute')), Number(get('second')));
  const offsetMin = Math.round((wall - Math.floor(t / 1000) * 1000) / 60_000);
  const base = `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
  if (offsetMin === 0) return `${base}Z`;
  const abs = Math.abs(offsetMin);
  return `${base}${offsetMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** getJobFromTemplate2: the Job for one scheduled time, owned by the CronJob. */
export function getJobFromTemplate(cj: CronJob, scheduled: number): Job {
  const tmpl = cj.spec!.jobTemplate;
  const annotations = { ...(tmpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatRFC3339InZone(scheduled, cj.spec?.timeZone ?? 'UTC') };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: getJobName(cj, scheduled),
      namespace: cj.metadata!.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      annotations,
      ownerReferences: [newControllerRef(cj, CRONJOB_KIND)],
    },
    spec: structuredClone(tmpl.spec),
  };
}

/** formatSchedule: the timeZone field as the parser's TZ= prefix. */
export const formatSchedule = (cj: CronJob): string => (cj.spec?.timeZone ? `TZ=${cj.spec.timeZone} ${cj.spec.schedule}` : cj.spec!.schedule);

export const inActiveList = (cj: CronJob, uid: string | undefined): boolean => (cj.status?.active ?? []).some((r) => r.uid === uid);

export function deleteFromActiveList(cj: CronJob, uid: string | undefined): void {
  const status = (cj.status ??= {});
  const active = (status.active ?? []).filter((r) => r.uid !== uid);
  if (active.length) status.active = active;
  else delete status.active;
}

/** getRef: the ObjectReference status.active holds. */
export const jobRef = (job: Job): ObjectReference => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  name: job.metadata!.name,
  namespace: job.metadata!.namespace,
  uid: job.metadata!.uid,
  resourceVersion: job.metadata!.resourceVersion,
});
