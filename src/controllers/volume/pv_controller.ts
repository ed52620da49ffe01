// The PersistentVolume controller (pkg/controller/volume/persistentvolume): binds claims to volumes,
// provisions volumes for claims of a class, and reclaims volumes whose claims are gone. One worker for
// claims and one for volumes, as upstream: syncClaim is not reentrant. PVC and PV protection run with it.

import type { Node, ObjectReference, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { cacheKey, type Informer } from '../../client/informer.js';
import type { Stored } from '../../client/objects.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import type { Timer } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, hasAnnotation, LABEL_HOSTNAME } from '../../api/storage/annotations.js';
import { Binder } from './binder.js';
import { WrittenObjects } from '../../client/written.js';
import { findMatchingVolume, isVolumeBoundToClaim, volumeMismatch, volumeModeMismatch } from './matching.js';
import type { NodeView } from './nodeaffinity.js';
import { indexPodsByClaim, isPodTerminated, POD_CLAIM_INDEX } from './podclaims.js';
import { Provisioner } from './provisioner.js';
import { PVCProtectionController } from './pvc_protection_controller.js';
import { PVProtectionController } from './pv_protection_controller.js';
import { claimClass, claimHasClass, defaultClass, isWaitForFirstConsumer } from '../../api/storage/classes.js';

export interface PersistentVolumeControllerOptions {
  /** The server's data directory; provisioned volumes live under <dataDir>/volumes. */
  dataDir: string;
  /** Full resync period (pvclaimbinder-sync-period), 15 s upstream. */
  resyncMs?: number;
}

const DEFAULT_RESYNC_MS = 15_000;

type PV = Stored<PersistentVolume>;
type PVC = Stored<PersistentVolumeClaim>;

export class PersistentVolumeController implements Controller {
  private client: Client;
  private recorder: EventRecorder;
  private claimQueue: WorkQueue;
  private volumeQueue: WorkQueue;
  private claims: WrittenObjects;
  private volumes: WrittenObjects;
  private claimInformer: Informer<PersistentVolumeClaim>;
  private classes: Informer<StorageClass>;
  private nodes: Informer<Node>;
  private pods: Informer<Pod>;
  private binder: Binder;
  private provisioner: Provisioner;
  private protection: Controller[];
  private resyncTimer: Timer | undefined;
  private stopped = false;

  constructor(
    private ctx: ControllerContext,
    private opts: PersistentVolumeControllerOptions,
  ) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('persistentvolume-controller');
    this.claimQueue = new WorkQueue(ctx.clock, { name: 'claims' });
    this.volumeQueue = new WorkQueue(ctx.clock, { name: 'volumes' });
    this.claimInformer = ctx.informers.get(REFS.persistentvolumeclaims);
    const volumeInformer = ctx.informers.get(REFS.persistentvolumes);
    this.claims = new WrittenObjects(this.claimInformer);
    this.volumes = new WrittenObjects(volumeInformer);
    this.classes = ctx.informers.get(REFS.storageclasses);
    this.nodes = ctx.informers.get(REFS.nodes);
    this.pods = ctx.informers.get(REFS.pods);
    indexPodsByClaim(this.pods);
    this.binder = new Binder(this.client, this.volumes, this.claims, this.recorder);
    this.provisioner = new Provisioner(ctx, this.client, this.recorder, this.binder, this.volumes, opts.dataDir);
    this.protection = [new PVCProtectionController(ctx), new PVProtectionController(ctx)];

    this.claimInformer.addHandler({
      add: (pvc) => this.claimQueue.add(cacheKey(pvc)),
      update: (_old, pvc) => this.claimQueue.add(cacheKey(pvc)),
      delete: (pvc) => {
        if (pvc.spec?.volumeName) this.volumeQueue.add(pvc.spec.volumeName);
      },
    });
    volumeInformer.addHandler({
      add: (pv) => this.volumeChanged(pv),
      update: (_old, pv) => this.volumeChanged(pv),
      delete: (pv) => {
        const ref = pv.spec?.claimRef;
        if (ref) this.claimQueue.add(`${ref.namespace}/${ref.name}`);
      },
    });
    this.classes.addHandler({ add: () => this.enqueueUnboundClaims(), update: () => this.enqueueUnboundClaims() });
  }

  start(): void {
    runWorkers(this.claimQueue, 1, (key) => this.syncClaim(key));
    runWorkers(this.volumeQueue, 1, (name) => this.syncVolume(name));
    for (const c of this.protection) c.start();
    this.scheduleResync();
  }

  stop(): void {
    this.stopped = true;
    this.resyncTimer?.cancel();
    this.claimQueue.shutdown();
    this.volumeQueue.shutdown();
    for (const c of this.protection) c.stop();
  }

  private scheduleResync(): void {
    if (this.stopped) return;
    this.resyncTimer = this.ctx.clock.setTimeout(() => {
      for (const pvc of this.claimList()) this.claimQueue.add(cacheKey(pvc));
      for (const pv of this.volumeList()) this.volumeQueue.add(pv.metadata.name);
      this.scheduleResync();
    }, this.opts.resyncMs ?? DEFAULT_RESYNC_MS);
  }

  private claimList(): PVC[] {
    return this.claims.list();
  }

  private volumeList(): PV[] {
    return this.volumes.list();
  }

  private volumeChanged(pv: PV): void {
    this.volumeQueue.add(pv.metadata.name);
    // A volume free for binding may be what a pending claim waits for.
    if (!pv.spec?.claimRef?.uid) this.enqueueUnboundClaims();
  }

  private enqueueUnboundClaims(): void {
    for (const pvc of this.claimList()) if (!hasAnnotation(pvc, ANN_BIND_COMPLETED)) this.claimQueue.add(cacheKey(pvc));
  }

  private nodeView(name: string): NodeView {
    const node = this.nodes.getByName('', name);
    return { name, labels: node?.metadata?.labels ?? { [LABEL_HOSTNAME]: name } };
  }

  private async syncClaim(key: string): Promise<void> {
    const pvc: PVC | undefined = this.claims.get(key);
    if (!pvc) return;
    if (hasAnnotation(pvc, ANN_BIND_COMPLETED)) await this.syncBoundClaim(pvc);
    else if (pvc.spec?.volumeName) await this.syncRequestedVolume(pvc);
    else await this.syncUnboundClaim(pvc);
  }

  private async syncUnboundClaim(pvc: PVC): Promise<void> {
    const className = claimClass(pvc);
    const sc = className ? this.classes.getByName('', className) : undefined;
    const delayBinding = isWaitForFirstConsumer(sc);
    const selectedNode: string | undefined = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
    // The scheduler binds WaitForFirstConsumer claims upstream; here the binder does it once a node is chosen.
    const node = delayBinding && selectedNode ? this.nodeView(selectedNode) : undefined;
    const pv = findMatchingVolume(pvc, this.volumeList(), { delayBinding, node });
    if (pv) return this.binder.bind(pv, pvc);
    if (await this.assignDefaultStorageClass(pvc)) return;
    if (delayBinding && !selectedNode) {
      this.emitWaitingForConsumer(pvc);
    } else if (className) {
      if (!pvc.metadata.deletionTimestamp) await this.provisioner.provisionClaim(pvc, sc, className, node?.name);
      return;
    } else {
      this.recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    }
    await this.binder.updateClaimStatus(pvc, 'Pending');
  }

  /** Retroactive default StorageClass assignment: a claim that asked for no class gets the default. */
  private async assignDefaultStorageClass(pvc: PVC): Promise<boolean> {
    if (claimHasClass(pvc)) return false;
    const sc: Stored<StorageClass> | undefined = defaultClass(this.classes.list());
    if (!sc) return false;
    const next = structuredClone(pvc);
    (next.spec ??= {}).storageClassName = sc.metadata.name;
    await this.binder.saveClaim(next);
    return true;
  }

  private emitWaitingForConsumer(pvc: PVC): void {
    const waiting = this.pods
      .byIndex(POD_CLAIM_INDEX, cacheKey(pvc))
      .filter((pod) => !isPodTerminated(pod) && !pod.spec?.nodeName)
      .map((pod) => pod.metadata.name)
      .sort();
    if (waiting.length === 0) {
      this.recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    } else {
      const what = waiting.length > 1 ? `pods ${waiting.join(',')}` : `pod ${waiting[0]}`;
      this.recorder.event(pvc, 'Normal', 'WaitForPodScheduled', `waiting for ${what} to be scheduled`);
    }
  }

  /** The claim names its volume (pre-bound by the user, or a binding this controller started). */
  private async syncRequestedVolume(pvc: PVC): Promise<void> {
    const name = pvc.spec?.volumeName ?? '';
    const pv: PV | undefined = this.volumes.get(name);
    if (!pv) {
      await this.binder.updateClaimStatus(pvc, 'Pending');
      return;
    }
    if (!pv.spec?.claimRef) {
      const why = volumeMismatch(pv, pvc);
      if (!why) return this.binder.bind(pv, pvc);
      this.recorder.event(pvc, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume ${JSON.stringify(name)}: ${why}`);
      await this.binder.updateClaimStatus(pvc, 'Pending');
      return;
    }
    if (isVolumeBoundToClaim(pv, pvc)) return this.binder.bind(pv, pvc);
    this.recorder.event(pvc, 'Warning', 'FailedBinding', `volume ${JSON.stringify(name)} already bound to a different claim.`);
    if (hasAnnotation(pvc, ANN_BOUND_BY_CONTROLLER)) {
      throw new Error(`invalid binding of claim "${cacheKey(pvc)}" to volume "${name}": volume already claimed by "${pv.spec.claimRef.namespace}/${pv.spec.claimRef.name}"`);
    }
    await this.binder.updateClaimStatus(pvc, 'Pending');
  }

  private async syncBoundClaim(pvc: PVC): Promise<void> {
    const name = pvc.spec?.volumeName;
    if (!name) {
      return this.binder.updateClaimPhaseWithEvent(pvc, 'Lost', 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
    }
    const pv: PV | undefined = this.volumes.get(name);
    if (!pv) {
      return this.binder.updateClaimPhaseWithEvent(pvc, 'Lost', 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
    }
    if (!pv.spec?.claimRef || pv.spec.claimRef.uid === pvc.metadata.uid) return this.binder.bind(pv, pvc);
    await this.binder.updateClaimPhaseWithEvent(pvc, 'Lost', 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
  }

  private async syncVolume(name: string): Promise<void> {
    let pv: PV | undefined = this.volumes.get(name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (!ref?.uid) {
      await this.binder.updateVolumePhase(pv, 'Available');
      return;
    }
    const claim = await this.currentClaim(pv, ref);
    const released = pv.status?.phase === 'Released' || pv.status?.phase === 'Failed';
    if (!claim) {
      if (!released) pv = await this.binder.updateVolumePhase(pv, 'Released');
      await this.reclaimVolume(pv);
      return;
    }
    if (!claim.spec?.volumeName) {
      if (volumeModeMismatch(claim, pv)) {
        this.recorder.event(pv, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume to requested PersistentVolumeClaim ${JSON.stringify(claim.metadata.name)} due to incompatible volumeMode.`);
        this.recorder.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume ${JSON.stringify(name)} to requested PersistentVolumeClaim due to incompatible volumeMode.`);
        return;
      }
      this.claimQueue.add(cacheKey(claim));
      return;
    }
    if (claim.spec.volumeName === name) {
      await this.binder.updateVolumePhase(pv, 'Bound');
      return;
    }
    // The claim went to another volume.
    if (hasAnnotation(pv, ANN_PROVISIONED_BY) && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
      if (!released) pv = await this.binder.updateVolumePhase(pv, 'Released');
      await this.reclaimVolume(pv);
      return;
    }
    await this.binder.unbindVolume(pv);
  }

  /** The claim the volume points to, or undefined when it is gone or was replaced by a namesake. */
  private async currentClaim(pv: PV, ref: ObjectReference): Promise<PVC | undefined> {
    const key = `${ref.namespace}/${ref.name}`;
    let claim: PVC | undefined = this.claims.get(key);
    const released = pv.status?.phase === 'Released' || pv.status?.phase === 'Failed';
    // The cache may lag behind a provisioner or the scheduler: ask the server before releasing.
    if ((!claim && !released) || (claim && claim.metadata.uid !== ref.uid)) {
      try {
        claim = await this.client.resource(REFS.persistentvolumeclaims).get(ref.namespace ?? '', ref.name ?? '');
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
        claim = undefined;
      }
    }
    return claim && claim.metadata.uid === ref.uid ? claim : undefined;
  }

  /** reclaimVolume: act on persistentVolumeReclaimPolicy once the claim is gone. */
  private async reclaimVolume(pv: PV): Promise<void> {
    switch (pv.spec?.persistentVolumeReclaimPolicy) {
      case 'Retain':
        return;
      case 'Delete':
        return this.provisioner.deleteVolume(pv);
      case 'Recycle':
        return this.binder.updateVolumePhaseWithEvent(pv, 'Failed', 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
      default:
        return this.binder.updateVolumePhaseWithEvent(pv, 'Failed', 'Warning', 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy');
    }
  }
}
