// The update logic of one StatefulSet sync (stateful_set_control.go): pick the current and update revisions,
// create missing replicas, delete condemned ones, roll pods to the update revision in reverse ordinal order,
// compute and write status, and trim the revision history.

import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../../machinery/errors.js';
import { fromLabelSelector } from '../../machinery/labels.js';
import type { Clock } from '../../machinery/clock.js';
import { equalRevision, findEqualRevisions, sortControllerRevisions, type History } from '../history/controller_history.js';
import type { StatefulPodControl } from './stateful_pod_control.js';
import type { StatefulSetStatusUpdater } from './stateful_set_status_updater.js';
import {
  allowsBurst,
  applyRevision,
  completeRollingUpdate,
  descendingOrdinal,
  getOrdinal,
  getPodRevision,
  getReplicas,
  getStartOrdinal,
  identityMatches,
  inconsistentStatus,
  isCreated,
  isFailed,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  isUnavailable,
  newRevision,
  newVersionedStatefulSetPod,
  nextRevision,
  STATEFUL_SET_KIND,
  storageMatches,
} from './stateful_set_utils.js';

/** Upper bound of concurrent creations or deletions in one Parallel batch. */
export const MAX_BATCH_SIZE = 500;

type Status = StatefulSetStatus & Required<Pick<StatefulSetStatus, 'replicas' | 'readyReplicas' | 'availableReplicas' | 'currentReplicas' | 'updatedReplicas'>>;

/** Several failures of one pass, reported together (utilerrors.Aggregate). */
export class AggregatedErrors extends Error {
  constructor(readonly errors: unknown[]) {
    super(errors.length === 1 ? String((errors[0] as Error)?.message ?? errors[0]) : `[${errors.map((e) => (e as Error)?.message ?? String(e)).join(', ')}]`);
  }
}

/**
 * Run `fn` over `count` indexes in batches of 1, 2, 4, … (at most MAX_BATCH_SIZE), all of a batch at once;
 * stop after the first batch with a failure. Returns how many calls succeeded. `fn` may return without a
 * promise when it had nothing to do: a batch of such calls is not awaited.
 */
export async function slowStartBatch(initial: number, count: number, fn: (i: number) => unknown): Promise<number> {
  let successes = 0;
  let next = 0;
  let remaining = count;
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining, MAX_BATCH_SIZE)) {
    const pending: Promise<unknown>[] = [];
    const errors: unknown[] = [];
    for (let k = 0; k < size; k++) {
      try {
        const r = fn(next + k);
        if (r instanceof Promise) pending.push(r);
      } catch (e) {
        errors.push(e);
      }
    }
    next += size;
    if (pending.length) for (const r of await Promise.allSettled(pending)) if (r.status === 'rejected') errors.push(r.reason);
    successes += size - errors.length;
    if (errors.length) throw new AggregatedErrors(errors);
    remaining -= size;
  }
  return successes;
}

/** Monotonic: in order, stopping at the first step that asks to. Burst: slow-start batches, stopping only on errors. */
async function runForAll(count: number, fn: (i: number) => boolean | Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < count; i++) {
      const r = fn(i);
      if (r instanceof Promise ? await r : r) return true;
    }
    return false;
  }
  await slowStartBatch(1, count, fn);
  return false;
}

/** Count created, ready, available, current and updated pods over the given lists (holes skipped) into status. */
export function updateStatus(status: Status, minReadySeconds: number, now: number, current: ControllerRevision, update: ControllerRevision, ...lists: (Pod | undefined)[][]): void {
  status.replicas = status.readyReplicas = status.availableReplicas = status.currentReplicas = status.updatedReplicas = 0;
  const currentName = current.metadata!.name;
  const updateName = update.metadata!.name;
  for (const list of lists) {
    for (const pod of list) {
      if (!pod) continue;
      if (isRunningAndReady(pod)) {
        status.readyReplicas++;
        if (isRunningAndAvailable(pod, minReadySeconds, now)) status.availableReplicas++;
      }
      if (!isCreated(pod)) continue;
      status.replicas++;
      if (isTerminating(pod)) continue;
      const revision = getPodRevision(pod);
      if (revision === currentName) status.currentReplicas++;
      if (revision === updateName) status.updatedReplicas++;
    }
  }
}

interface Revisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

interface Outcome {
  status?: Status;
  error?: unknown;
}

export class StatefulSetControl {
  constructor(
    private podControl: StatefulPodControl,
    private statusUpdater: StatefulSetStatusUpdater,
    private history: History,
    private clock: Clock,
  ) {}

  listRevisions(set: StatefulSet): ControllerRevision[] {
    return this.history.listControllerRevisions(set, fromLabelSelector(set.spec!.selector));
  }

  async adoptOrphanRevisions(set: StatefulSet, revisions: ControllerRevision[]): Promise<void> {
    for (const r of revisions) await this.history.adoptControllerRevision(set, STATEFUL_SET_KIND, r);
  }

  /**
   * One reconcile of the set against its pods. The status is written even when a step fails; the history
   * is trimmed in every case. Throws when anything failed.
   */
  async updateStatefulSet(set: StatefulSet, pods: Pod[]): Promise<StatefulSetStatus> {
    const revisions = sortControllerRevisions(this.listRevisions(set));
    const errors: unknown[] = [];
    let revs: Revisions | undefined;
    let status: Status | undefined;
    try {
      revs = await this.getStatefulSetRevisions(set, revisions);
      const outcome = await this.reconcile(set, revs, pods);
      status = outcome.status;
      if (outcome.error !== undefined) errors.push(outcome.error);
      if (status) await this.updateStatefulSetStatus(set, status);
    } catch (e) {
      errors.push(e);
    }
    try {
      await this.truncateHistory(set, pods, revisions, revs?.current, revs?.update);
    } catch (e) {
      errors.push(e);
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregatedErrors(errors);
    return status!;
  }

  /** The update revision (created, reused as is, or reused with a bumped number on rollback) and the current one. */
  async getStatefulSetRevisions(set: StatefulSet, revisions: ControllerRevision[]): Promise<Revisions> {
    let collisionCount = set.status?.collisionCount ?? 0;
    const candidate = newRevision(set, nextRevision(revisions), collisionCount);
    const equal = findEqualRevisions(revisions, candidate);
    let update: ControllerRevision;
    if (equal.length && equalRevision(revisions[revisions.length - 1], equal[equal.length - 1])) {
      update = revisions[revisions.length - 1];
    } else if (equal.length) {
      update = await this.history.updateControllerRevision(equal[equal.length - 1], candidate.revision);
    } else {
      ({ revision: update, collisionCount } = await this.history.createControllerRevision(set, candidate, collisionCount));
    }
    const current = revisions.find((r) => r.metadata!.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  /** Create, repair and delete pods; returns the status computed along the way (updateStatefulSet upstream). */
  private async reconcile(set: StatefulSet, { current, update, collisionCount }: Revisions, pods: Pod[]): Promise<Outcome> {
    const now = this.clock.now();
    const minReadySeconds = set.spec?.minReadySeconds ?? 0;
    const currentSet = applyRevision(set, current);
    const updateSet = applyRevision(set, update);
    const status: Status = {
      observedGeneration: set.metadata?.generation,
      currentRevision: current.metadata!.name,
      updateRevision: update.metadata!.name,
      collisionCount,
      replicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
    };

    const start = getStartOrdinal(set);
    const replicas: (Pod | undefined)[] = new Array(getReplicas(set)).fill(undefined);
    const condemned: Pod[] = [];
    for (const pod of pods) {
      const ordinal = getOrdinal(pod);
      if (ordinal >= start && ordinal - start < replicas.length) replicas[ordinal - start] = pod;
      else if (ordinal >= 0) condemned.push(pod);
    }
    condemned.sort(descendingOrdinal);
    // Pods for missing ordinals are built when first needed: an OrderedReady pass stops at the first one,
    // and building all of them on every sync made large sets quadratic.
    const replica = (i: number): Pod =>
      (replicas[i] ??= newVersionedStatefulSetPod(currentSet, updateSet, current.metadata!.name!, update.metadata!.name!, start + i));

    const unavailable = (pod: Pod) => isUnavailable(pod, minReadySeconds, now);
    const firstMissingOrUnavailable = replicas.findIndex((pod) => !pod || unavailable(pod));
    const firstUnavailablePod = firstMissingOrUnavailable >= 0 ? replica(firstMissingOrUnavailable) : [...condemned].reverse().find(unavailable);

    if (set.metadata?.deletionTimestamp) {
      updateStatus(status, minReadySeconds, now, current, update, pods);
      return { status };
    }

    const monotonic = !allowsBurst(set);
    const recount = () => updateStatus(status, minReadySeconds, now, current, update, replicas, condemned);
    try {
      const processReplica = (i: number) => {
        const pod = replica(i);
        return this.isSettled(set, updateSet, monotonic, pod, now) ? false : this.processReplica(set, updateSet, monotonic, pod, now);
      };
      if (await runForAll(replicas.length, processReplica, monotonic)) {
        recount();
        return { status };
      }
      const fixPodClaim = async (i: number) => {
        if (!this.podControl.claimsMatchRetentionPolicy(updateSet, condemned[i])) await this.podControl.updatePodClaimForRetentionPolicy(updateSet, condemned[i]);
        return false;
      };
      if (await runForAll(condemned.length, fixPodClaim, monotonic)) {
        recount();
        return { status };
      }
      const processCondemned = (i: number) => this.processCondemned(set, firstUnavailablePod, monotonic, condemned, i, now);
      if (await runForAll(condemned.length, processCondemned, monotonic)) {
        recount();
        return { status };
      }
    } catch (error) {
      recount();
      return { status, error };
    }
    recount();

    // OnDelete leaves template changes to the user, who deletes pods; their replacements get the update revision.
    if (set.spec?.updateStrategy?.type === 'OnDelete') return { status };

    const rollingUpdate = set.spec?.updateStrategy?.rollingUpdate;
    const updateMin = rollingUpdate ? (rollingUpdate.partition ?? 0) : 0;
    for (let target = replicas.length - 1; target >= updateMin; target--) {
      const pod = replica(target);
      if (getPodRevision(pod) !== update.metadata!.name && !isTerminating(pod)) {
        try {
          await this.podControl.deleteStatefulPod(set, pod);
        } catch (error) {
          if (!isStatusError(error, 'NotFound')) return { status, error };
        }
        status.currentReplicas--;
        return { status };
      }
      if (unavailable(pod)) return { status };
    }
    return { status };
  }

  /**
   * A running replica whose identity, storage and claims are in order: processReplica would change nothing
   * and not stop the pass. Checked without a promise, since in a large set nearly every replica is settled.
   */
  private isSettled(set: StatefulSet, updateSet: StatefulSet, monotonic: boolean, pod: Pod, now: number): boolean {
    if (!isCreated(pod) || isFailed(pod) || isSucceeded(pod)) return false;
    // A pending pod gets its missing claims recreated; without claim templates there are none.
    if (isPending(pod) && set.spec?.volumeClaimTemplates?.length) return false;
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, set.spec?.minReadySeconds ?? 0, now))) return false;
    // Without claim templates storage always matches a pod whose identity does.
    if (!identityMatches(set, pod) || (set.spec?.volumeClaimTemplates?.length && !storageMatches(set, pod))) return false;
    return this.podControl.claimsMatchRetentionPolicy(updateSet, pod);
  }

  /** Returns true when the monotonic pass must stop at this replica. */
  private async processReplica(set: StatefulSet, updateSet: StatefulSet, monotonic: boolean, pod: Pod, now: number): Promise<boolean> {
    // Failed and Succeeded pods are deleted; the replacement is created once the old object is gone.
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!isTerminating(pod)) await this.podControl.deleteStatefulPod(set, pod);
      return true;
    }
    if (!isCreated(pod)) {
      if (this.podControl.podClaimIsStale(set, pod)) return true;
      await this.podControl.createStatefulPod(set, pod);
      if (monotonic) return true;
    }
    if (isPending(pod)) await this.podControl.createMissingPersistentVolumeClaims(set, pod);
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, set.spec?.minReadySeconds ?? 0, now))) return true;

    const retentionMatch = this.podControl.claimsMatchRetentionPolicy(updateSet, pod);
    if (identityMatches(set, pod) && storageMatches(set, pod) && retentionMatch) return false;
    await this.podControl.updateStatefulPod(updateSet, structuredClone(pod));
    return false;
  }

  /** Scale-down of one condemned pod; monotonic mode deletes one at a time, healthy ones first from the top. */
  private async processCondemned(set: StatefulSet, firstUnavailablePod: Pod | undefined, monotonic: boolean, condemned: Pod[], i: number, now: number): Promise<boolean> {
    const pod = condemned[i];
    if (isTerminating(pod)) return monotonic;
    if (monotonic && pod !== firstUnavailablePod && !isRunningAndAvailable(pod, set.spec?.minReadySeconds ?? 0, now)) return true;
    await this.podControl.deleteStatefulPod(set, pod);
    return true;
  }

  /** Promote a finished rolling update, then write the status if it differs from the stored one. */
  private async updateStatefulSetStatus(set: StatefulSet, status: Status): Promise<void> {
    completeRollingUpdate(set, status);
    if (!inconsistentStatus(set, status)) return;
    await this.statusUpdater.updateStatefulSetStatus(set, status);
  }

  /**
   * Delete the oldest revisions no pod, nor the current or update revision, uses, until at most
   * revisionHistoryLimit of those remain (a negative limit keeps all).
   */
  private async truncateHistory(set: StatefulSet, pods: Pod[], revisions: ControllerRevision[], current?: ControllerRevision, update?: ControllerRevision): Promise<void> {
    const live = new Set<string>(pods.map(getPodRevision));
    if (current) live.add(current.metadata!.name!);
    if (update) live.add(update.metadata!.name!);
    const history = revisions.filter((r) => !live.has(r.metadata!.name!));
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    if (limit < 0 || history.length <= limit) return;
    for (const r of history.slice(0, history.length - limit)) await this.history.deleteControllerRevision(r);
  }
}
