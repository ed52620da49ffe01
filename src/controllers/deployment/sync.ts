// What every kind of deployment sync shares (pkg/controller/deployment/sync.go): finding or creating the new
// replica set and syncing revisions, scaling (proportionally during a rollout), cleaning up history, and
// writing the status. Works on a mutable copy of the deployment; the writes update its resourceVersion.

import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { deepEqual, type Mutable } from '../../machinery/objects.js';
import { getControllerOf, newControllerRef } from '../controller_utils.js';
import {
  calculateStatus,
  FAILED_RS_CREATE_REASON,
  FOUND_NEW_RS_REASON,
  getCondition,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  NEW_RS_REASON,
  newCondition,
  PAUSED_DEPLOY_REASON,
  RESUMED_DEPLOY_REASON,
  setCondition,
  TIMED_OUT_REASON,
} from './deployment_status.js';
import {
  byRevision,
  bySizeNewer,
  bySizeOlder,
  computeHash,
  DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getProportion,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  newRSNewReplicas,
  REVISION_ANNOTATION,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
} from './deployment_util.js';
import { DEPLOYMENT_KIND } from './replica_set_ref_manager.js';

export interface ReplicaSets {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

export class DeploymentSync {
  constructor(
    readonly client: Client,
    readonly recorder: EventRecorder,
    readonly clock: Clock,
  ) {}

  private get rsClient() {
    return this.client.resource(REFS.replicasets);
  }

  /** Write `d.status`; `d` takes the new resourceVersion. */
  async updateStatus(d: Deployment): Promise<void> {
    const written = await this.client.resource(REFS.deployments).updateStatus(d.metadata!.namespace!, d);
    (d.metadata as Mutable<ObjectMeta>).resourceVersion = written.metadata.resourceVersion;
  }

  /** SetDeploymentRevision: the deployment carries its new replica set's revision, written with UpdateStatus as upstream. */
  private async setDeploymentRevision(d: Deployment, revision: string): Promise<void> {
    if (d.metadata?.annotations?.[REVISION_ANNOTATION] === revision) return;
    d.metadata!.annotations = { ...(d.metadata!.annotations ?? {}), [REVISION_ANNOTATION]: revision };
    await this.updateStatus(d);
  }

  /** getAllReplicaSetsAndSyncRevision: the new replica set (created when asked and missing) and all the old ones. */
  async getAllReplicaSetsAndSyncRevision(d: Deployment, rsList: ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSets> {
    const oldRSs = findOldReplicaSets(d, rsList);
    const newRS = await this.getNewReplicaSet(d, rsList, oldRSs, createIfNotExisted);
    return { newRS, oldRSs };
  }

  private async getNewReplicaSet(d: Deployment, rsList: ReplicaSet[], oldRSs: ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSet | undefined> {
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    const now = this.clock.now();
    if (existing) {
      const copy = structuredClone(existing) as ReplicaSet;
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadySeconds = d.spec?.minReadySeconds ?? 0;
      if (annotationsUpdated || (copy.spec!.minReadySeconds ?? 0) !== minReadySeconds) {
        copy.spec!.minReadySeconds = minReadySeconds;
        return this.rsClient.update(copy.metadata!.namespace!, copy);
      }
      await this.setDeploymentRevision(d, copy.metadata?.annotations?.[REVISION_ANNOTATION] ?? '');
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        setCondition((d.status ??= {}), newCondition('Progressing', 'True', FOUND_NEW_RS_REASON, `Found new replica set "${copy.metadata!.name}"`, now));
        await this.updateStatus(d);
      }
      return copy;
    }
    if (!createIfNotExisted) return undefined;
    const newRS = this.newReplicaSetFor(d);
    newRS.spec!.replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);
    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.rsClient.create(d.metadata!.namespace!, newRS);
    } catch (e) {
      if (isStatusError(e, 'AlreadyExists')) {
        const rs = await this.rsClient.get(d.metadata!.namespace!, newRS.metadata!.name!);
        if (getControllerOf(rs)?.uid !== d.metadata?.uid || !equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
          // A hash collision: the next hash includes the bumped count.
          (d.status ??= {}).collisionCount = (d.status.collisionCount ?? 0) + 1;
          await this.updateStatus(d);
          throw e;
        }
        created = rs;
        alreadyExists = true;
      } else {
        if (isStatusError(e, 'Forbidden')) throw e; // the namespace is terminating
        const msg = `Failed to create new replica set "${newRS.metadata!.name}": ${e instanceof Error ? e.message : String(e)}`;
        if (hasProgressDeadline(d)) {
          setCondition((d.status ??= {}), newCondition('Progressing', 'False', FAILED_RS_CREATE_REASON, msg, now));
          await this.updateStatus(d).catch(() => undefined);
        }
        this.recorder.event(d, 'Warning', FAILED_RS_CREATE_REASON, msg);
        throw e;
      }
    }
    const replicas = replicasOf(newRS);
    if (!alreadyExists && replicas > 0) this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata!.name} from 0 to ${replicas}`);
    await this.setDeploymentRevision(d, String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCondition((d.status ??= {}), newCondition('Progressing', 'True', NEW_RS_REASON, `Created new replica set "${created.metadata!.name}"`, now));
      await this.updateStatus(d);
    }
    return created;
  }

  /** The replica set for the deployment's current template, before its size and annotations are set. */
  private newReplicaSetFor(d: Deployment): ReplicaSet {
    const template = structuredClone(d.spec!.template);
    const hash = computeHash(template, d.status?.collisionCount);
    const labels = { ...(d.spec!.template.metadata?.labels ?? {}), [DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: hash };
    template.metadata = { ...(template.metadata ?? {}), labels };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: hash };
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${d.metadata!.name}-${hash}`, namespace: d.metadata!.namespace, ownerReferences: [newControllerRef(d, DEPLOYMENT_KIND)], labels: { ...labels } },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
  }

  /** scale: resize the replica sets to a changed deployment size, proportionally when a rollout is under way. */
  async scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const desired = replicasOf(d);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== desired) await this.scaleReplicaSetAndRecordEvent(activeOrLatest, desired, d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleReplicaSetAndRecordEvent(old, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const allRSs = filterActive([...oldRSs, newRS]);
    const allowedSize = desired > 0 ? desired + maxSurge(d) : 0;
    const toAdd = allowedSize - specReplicas(allRSs);
    let operation = '';
    if (toAdd > 0) {
      allRSs.sort(bySizeNewer);
      operation = 'up';
    } else if (toAdd < 0) {
      allRSs.sort(bySizeOlder);
      operation = 'down';
    }
    const sizes = new Map<string, number>();
    let added = 0;
    for (const rs of allRSs) {
      const proportion = toAdd !== 0 ? getProportion(rs, d, toAdd, added) : 0;
      sizes.set(rs.metadata!.name!, replicasOf(rs) + proportion);
      added += proportion;
    }
    for (const [i, rs] of allRSs.entries()) {
      let size = sizes.get(rs.metadata!.name!)!;
      // Leftovers go to the largest replica set.
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      await this.scaleReplicaSet(rs, size, d, operation);
    }
  }

  /** scaleReplicaSetAndRecordEvent: the replica set after the resize, and whether its size changed. */
  async scaleReplicaSetAndRecordEvent(rs: ReplicaSet, newScale: number, d: Deployment): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    if (replicasOf(rs) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale, d, replicasOf(rs) < newScale ? 'up' : 'down');
  }

  /** scaleReplicaSet: set the size and the deployment's replica annotations; an event when the size changed. */
  async scaleReplicaSet(rs: ReplicaSet, newScale: number, d: Deployment, operation: string): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const desired = replicasOf(d);
    const max = desired + maxSurge(d);
    const sizeNeedsUpdate = replicasOf(rs) !== newScale;
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const oldScale = replicasOf(rs);
    const copy = structuredClone(rs) as ReplicaSet;
    copy.spec!.replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    const written = await this.rsClient.update(copy.metadata!.namespace!, copy);
    if (sizeNeedsUpdate) this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata!.name} from ${oldScale} to ${newScale}`);
    return { scaled: sizeNeedsUpdate, rs: written };
  }

  /** cleanupDeployment: delete the oldest scaled-down replica sets beyond revisionHistoryLimit. */
  async cleanupDeployment(oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp).sort(byRevision);
    const diff = cleanable.length - d.spec!.revisionHistoryLimit!;
    for (const rs of cleanable.slice(0, Math.max(0, diff))) {
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.rsClient.delete(rs.metadata!.namespace!, rs.metadata!.name!);
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
    }
  }

  /** syncDeploymentStatus: write the calculated status if it changed. */
  async syncDeploymentStatus(allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
    const status = calculateStatus(allRSs, newRS, d, this.clock.now());
    await this.writeIfChanged(d, status);
  }

  async writeIfChanged(d: Deployment, status: DeploymentStatus): Promise<boolean> {
    if (deepEqual(d.status ?? {}, status)) return false;
    d.status = status;
    await this.updateStatus(d);
    return true;
  }

  /** checkPausedConditions: Progressing tells whether the deployment is paused, unless it already timed out. */
  async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === TIMED_OUT_REASON) return;
    const pausedCondExists = cond?.reason === PAUSED_DEPLOY_REASON;
    const now = this.clock.now();
    if (d.spec?.paused && !pausedCondExists) {
      setCondition((d.status ??= {}), newCondition('Progressing', 'Unknown', PAUSED_DEPLOY_REASON, 'Deployment is paused', now));
    } else if (!d.spec?.paused && pausedCondExists) {
      setCondition((d.status ??= {}), newCondition('Progressing', 'Unknown', RESUMED_DEPLOY_REASON, 'Deployment is resumed', now));
    } else return;
    await this.updateStatus(d);
  }

  /** isScalingEvent: an active replica set was sized for another deployment size. */
  async isScalingEvent(d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    return filterActive([...oldRSs, newRS]).some((rs) => {
      const desired = desiredReplicasAnnotation(rs);
      return desired !== undefined && desired !== replicasOf(d);
    });
  }

  /** sync: scaling and history cleanup without a rollout (paused deployments and scaling events). */
  async sync(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec?.paused) await this.cleanupDeployment(oldRSs, d);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }
}
