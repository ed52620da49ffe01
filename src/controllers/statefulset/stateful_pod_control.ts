// The side effects of the StatefulSet controller on pods and claims (stateful_pod_control.go): claims first,
// then the pod; identity and storage repairs; deletion; retention-policy ownerRefs; and the events for each.

import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { DEFAULT_BACKOFF, retryOnConflict } from '../../client/retry.js';
import type { Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { POD_KIND } from '../controller_utils.js';
import {
  getPersistentVolumeClaimRetentionPolicy,
  hasStaleOwnerRef,
  hasUnexpectedController,
  isClaimOwnerUpToDate,
  updateClaimOwnerRefForSetAndPod,
} from './stateful_set_retention.js';
import {
  getOrdinal,
  getPersistentVolumeClaimName,
  identityMatches,
  newPersistentVolumeClaim,
  storageMatches,
  updateIdentity,
  updateStorage,
} from './stateful_set_utils.js';

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const title = (verb: string): string => verb[0].toUpperCase() + verb.slice(1);

export class StatefulPodControl {
  constructor(
    private client: Client,
    private claims: Informer<PersistentVolumeClaim>,
    private recorder: EventRecorder,
    private clock: Clock,
  ) {}

  /** Create the pod's claims, then the pod; AlreadyExists on the pod is returned without an event. */
  async createStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.createPersistentVolumeClaims(set, pod);
    } catch (e) {
      this.recordPodEvent('create', set, pod, e);
      throw e;
    }
    let created: Pod;
    try {
      created = await this.client.resource(REFS.pods).create(set.metadata!.namespace!, pod);
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists')) this.recordPodEvent('create', set, pod, e);
      throw e;
    }
    try {
      await this.updatePodClaimForRetentionPolicy(set, created);
    } catch (e) {
      this.recordPodEvent('update', set, pod, e);
      throw e;
    }
    this.recordPodEvent('create', set, pod);
  }

  /** Bring identity, storage and claim ownership in line with the set; `pod` is a private copy. */
  async updateStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    const ns = set.metadata!.namespace!;
    let attempted = false;
    let stale = false;
    try {
      // retry.RetryOnConflict(retry.DefaultBackoff, ...) against a fresh copy of the pod.
      await retryOnConflict(
        this.clock,
        async () => {
          if (stale) pod = structuredClone(await this.client.resource(REFS.pods).get(ns, pod.metadata!.name!));
          stale = true;
          if (await this.repairPod(set, pod)) return;
          attempted = true;
          await this.client.resource(REFS.pods).update(ns, pod);
        },
        DEFAULT_BACKOFF,
      );
    } catch (e) {
      this.recordPodEvent('update', set, pod, e);
      throw e;
    }
    if (attempted) this.recordPodEvent('update', set, pod);
  }

  /** Fix identity, storage and claim ownership in `pod`; true when nothing in the pod itself needs writing. */
  private async repairPod(set: StatefulSet, pod: Pod): Promise<boolean> {
    let consistent = true;
    if (!identityMatches(set, pod)) {
      updateIdentity(set, pod);
      consistent = false;
    }
    if (!storageMatches(set, pod)) {
      updateStorage(set, pod);
      consistent = false;
      await this.createPersistentVolumeClaims(set, pod);
    }
    if (!this.claimsMatchRetentionPolicy(set, pod)) {
      await this.updatePodClaimForRetentionPolicy(set, pod);
      consistent = false;
    }
    return consistent;
  }

  /** Delete with the pod's own grace period. A pod already gone (the cache lagging behind) is not an error here. */
  async deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.client.resource(REFS.pods).delete(set.metadata!.namespace!, pod.metadata!.name!);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return;
      this.recordPodEvent('delete', set, pod, e);
      throw e;
    }
    this.recordPodEvent('delete', set, pod);
  }

  /** False when a claim of the pod carries ownerRefs that disagree with the retention policy; missing claims match. */
  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean {
    for (const claim of this.existingClaims(set, pod)) if (!isClaimOwnerUpToDate(claim, set, pod)) return false;
    return true;
  }

  /** Rewrite the ownerRefs of the pod's existing claims to match the retention policy. */
  async updatePodClaimForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    for (const existing of this.existingClaims(set, pod)) {
      const name = existing.metadata!.name!;
      if (hasUnexpectedController(existing, set, pod)) {
        this.recorder.event(
          set,
          'Warning',
          'ConflictingController',
          `PersistentVolumeClaim ${name} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`,
        );
      }
      if (isClaimOwnerUpToDate(existing, set, pod)) continue;
      const claim = structuredClone(existing);
      updateClaimOwnerRefForSetAndPod(claim, set, pod);
      try {
        await this.client.resource(REFS.persistentvolumeclaims).update(set.metadata!.namespace!, claim);
      } catch (e) {
        throw new Error(`could not update claim ${name} for delete policy ownerRefs: ${errorText(e)}`);
      }
    }
  }

  /** Under whenScaled=Delete, a claim still owned by an earlier pod of the same name must be collected before the pod returns. */
  podClaimIsStale(set: StatefulSet, pod: Pod): boolean {
    if (getPersistentVolumeClaimRetentionPolicy(set).whenScaled === 'Retain') return false;
    return this.existingClaims(set, pod).some((claim) => hasStaleOwnerRef(claim, pod, POD_KIND));
  }

  /** Recreate claims deleted from under a pending pod, and set their ownerRefs. */
  async createMissingPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void> {
    await this.createPersistentVolumeClaims(set, pod);
    try {
      await this.updatePodClaimForRetentionPolicy(set, pod);
    } catch (e) {
      this.recordPodEvent('update', set, pod, e);
      throw e;
    }
  }

  /** Create every missing claim of the pod; a claim being deleted blocks the pod ("pvc … is being deleted"). */
  async createPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const errs: string[] = [];
    const ns = set.metadata!.namespace!;
    const ordinal = getOrdinal(pod);
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const name = getPersistentVolumeClaimName(set, template, ordinal);
      let existing: PersistentVolumeClaim | undefined = this.claims.getByName(ns, name);
      if (!existing) {
        const claim = newPersistentVolumeClaim(set, template, ordinal);
        try {
          await this.client.resource(REFS.persistentvolumeclaims).create(ns, claim);
          this.recordClaimEvent('create', set, pod, claim);
          continue;
        } catch (e) {
          if (!isStatusError(e, 'AlreadyExists')) {
            errs.push(`failed to create PVC ${name}: ${errorText(e)}`);
            this.recordClaimEvent('create', set, pod, claim, e);
            continue;
          }
          // The cache lags behind a claim created moments ago; look at the stored one instead.
          existing = await this.client.resource(REFS.persistentvolumeclaims).get(ns, name);
        }
      }
      if (existing?.metadata?.deletionTimestamp) errs.push(`pvc ${name} is being deleted`);
    }
    if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  }

  private existingClaims(set: StatefulSet, pod: Pod): PersistentVolumeClaim[] {
    const templates = set.spec?.volumeClaimTemplates;
    if (!templates?.length) return [];
    const ordinal = getOrdinal(pod);
    const out: PersistentVolumeClaim[] = [];
    for (const template of templates) {
      const claim = this.claims.getByName(set.metadata!.namespace!, getPersistentVolumeClaimName(set, template, ordinal));
      if (claim) out.push(claim);
    }
    return out;
  }

  private recordPodEvent(verb: string, set: StatefulSet, pod: Pod, err?: unknown): void {
    const name = pod.metadata?.name;
    const setName = set.metadata?.name;
    if (err === undefined) this.recorder.event(set, 'Normal', `Successful${title(verb)}`, `${verb} Pod ${name} in StatefulSet ${setName} successful`);
    else this.recorder.event(set, 'Warning', `Failed${title(verb)}`, `${verb} Pod ${name} in StatefulSet ${setName} failed error: ${errorText(err)}`);
  }

  private recordClaimEvent(verb: string, set: StatefulSet, pod: Pod, claim: PersistentVolumeClaim, err?: unknown): void {
    const c = claim.metadata?.name;
    const p = pod.metadata?.name;
    const s = set.metadata?.name;
    if (err === undefined) this.recorder.event(set, 'Normal', `Successful${title(verb)}`, `${verb} Claim ${c} Pod ${p} in StatefulSet ${s} success`);
    else this.recorder.event(set, 'Warning', `Failed${title(verb)}`, `${verb} Claim ${c} for Pod ${p} in StatefulSet ${s} failed error: ${errorText(err)}`);
  }
}
