// The writes that bind and unbind claims and volumes (pv_controller.go bind, bindVolumeToClaim,
// bindClaimToVolume, unbindVolume, updateClaimStatus, updateVolumePhase). Volume first, claim second:
// a half-done binding is finished by the next sync of either object.

import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeStatus } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder, EventType } from '../../client/events.js';
import { deepEqual } from '../../machinery/objects.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, hasAnnotation } from '../../api/storage/annotations.js';
import type { Stored } from '../../client/objects.js';
import type { WrittenObjects } from '../../client/written.js';
import { claimRef, isVolumeBoundToClaim } from './matching.js';

type PV = Stored<PersistentVolume>;
type PVC = Stored<PersistentVolumeClaim>;

export class Binder {
  constructor(
    private client: Client,
    private volumes: WrittenObjects,
    private claims: WrittenObjects,
    private recorder: EventRecorder,
  ) {}

  async bind(pv: PV, pvc: PVC): Promise<void> {
    let volume = await this.bindVolumeToClaim(pv, pvc);
    volume = await this.updateVolumePhase(volume, 'Bound');
    const claim = await this.bindClaimToVolume(pvc, volume);
    await this.updateClaimStatus(claim, 'Bound', volume);
  }

  private async bindVolumeToClaim(pv: PV, pvc: PVC): Promise<PV> {
    const next = structuredClone(pv);
    let dirty = false;
    const ref = pv.spec?.claimRef;
    if (!ref || ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace || ref.uid !== pvc.metadata.uid) {
      (next.spec ??= {}).claimRef = claimRef(pvc);
      dirty = true;
    }
    if (!isVolumeBoundToClaim(pv, pvc) && !hasAnnotation(next, ANN_BOUND_BY_CONTROLLER)) {
      (next.metadata.annotations ??= {})[ANN_BOUND_BY_CONTROLLER] = 'yes';
      dirty = true;
    }
    if (!dirty) return pv;
    return this.saveVolume(next);
  }

  private async bindClaimToVolume(pvc: PVC, pv: PV): Promise<PVC> {
    const next = structuredClone(pvc);
    let dirty = false;
    if (pvc.spec?.volumeName !== pv.metadata.name) {
      (next.spec ??= {}).volumeName = pv.metadata.name;
      if (!hasAnnotation(next, ANN_BOUND_BY_CONTROLLER)) (next.metadata.annotations ??= {})[ANN_BOUND_BY_CONTROLLER] = 'yes';
      dirty = true;
    }
    if (!hasAnnotation(next, ANN_BIND_COMPLETED)) {
      (next.metadata.annotations ??= {})[ANN_BIND_COMPLETED] = 'yes';
      dirty = true;
    }
    if (!dirty) return pvc;
    return this.saveClaim(next);
  }

  /** Roll back a binding: the controller's own claimRef goes; a user's pre-binding keeps all but the UID. */
  async unbindVolume(pv: PV): Promise<void> {
    const next = structuredClone(pv);
    const annotations = next.metadata.annotations;
    if (annotations && hasAnnotation(pv, ANN_BOUND_BY_CONTROLLER)) {
      delete next.spec?.claimRef;
      delete annotations[ANN_BOUND_BY_CONTROLLER];
      if (Object.keys(annotations).length === 0) delete next.metadata.annotations;
    } else {
      delete next.spec?.claimRef?.uid;
    }
    await this.updateVolumePhase(await this.saveVolume(next), 'Available');
  }

  async updateClaimStatus(pvc: PVC, phase: string, pv?: PV): Promise<PVC> {
    const status = structuredClone(pvc.status ?? {});
    if (pv) {
      status.accessModes = structuredClone(pv.spec?.accessModes);
      // Capacity only when the claim becomes Bound: a later difference may be an intended resize.
      if (pvc.status?.phase !== phase) status.capacity = structuredClone(pv.spec?.capacity);
    } else {
      delete status.accessModes;
      delete status.capacity;
    }
    status.phase = phase;
    if (deepEqual(status, pvc.status ?? {})) return pvc;
    const updated = await this.client.resource(REFS.persistentvolumeclaims).updateStatus(pvc.metadata.namespace ?? '', { ...structuredClone(pvc), status });
    this.claims.remember(updated);
    return updated;
  }

  /** Change the claim's phase and emit the event only when the phase really changes. */
  async updateClaimPhaseWithEvent(pvc: PVC, phase: string, type: EventType, reason: string, message: string): Promise<void> {
    if (pvc.status?.phase === phase) return;
    const updated = await this.updateClaimStatus(pvc, phase);
    this.recorder.event(updated, type, reason, message);
  }

  async updateVolumePhase(pv: PV, phase: string, message?: string): Promise<PV> {
    if (pv.status?.phase === phase) return pv;
    const status: PersistentVolumeStatus = { ...structuredClone(pv.status ?? {}), phase };
    if (message) status.message = message;
    else delete status.message;
    const updated = await this.client.resource(REFS.persistentvolumes).updateStatus('', { ...structuredClone(pv), status });
    this.volumes.remember(updated);
    return updated;
  }

  async updateVolumePhaseWithEvent(pv: PV, phase: string, type: EventType, reason: string, message: string): Promise<void> {
    if (pv.status?.phase === phase) return;
    const updated = await this.updateVolumePhase(pv, phase, message);
    this.recorder.event(updated, type, reason, message);
  }

  async saveVolume(pv: PV): Promise<PV> {
    const updated = await this.client.resource(REFS.persistentvolumes).update('', pv);
    this.volumes.remember(updated);
    return updated;
  }

  async saveClaim(pvc: PVC): Promise<PVC> {
    const updated = await this.client.resource(REFS.persistentvolumeclaims).update(pvc.metadata.namespace ?? '', pvc);
    this.claims.remember(updated);
    return updated;
  }
}
