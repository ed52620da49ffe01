// Dynamic provisioning and deletion for a claim's class (pv_controller.go provisionClaimOperationExternal,
// deleteVolumeOperation, plus the external-provisioner library's half for the hostpath provisioners
// this process answers for). The PV controller asks for provisioning the way it asks an external
// provisioner: it marks the claim and records ExternalProvisioning; the provisioner then records
// Provisioning and ProvisioningSucceeded under its own name, as `kubectl describe pvc` shows on minikube.

import { randomUUID } from 'node:crypto';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { isStatusError } from '../../machinery/errors.js';
import type { ControllerContext } from '../context.js';
import { ANN_BETA_STORAGE_PROVISIONER, ANN_PROVISIONED_BY, ANN_STORAGE_PROVISIONER, NO_PROVISIONER } from '../../api/storage/annotations.js';
import type { Binder } from './binder.js';
import type { Stored } from '../../client/objects.js';
import type { WrittenObjects } from '../../client/written.js';
import {
  createVolumeDirectory,
  HOSTPATH_PROVISIONERS,
  provisionedVolume,
  provisionedVolumeName,
  provisioningRefusal,
  removeVolumeDirectory,
  volumeDirectory,
} from './hostpath.js';

type PVC = Stored<PersistentVolumeClaim>;

export class Provisioner {
  private recorders = new Map<string, EventRecorder>();
  private identity = randomUUID();

  constructor(
    private ctx: ControllerContext,
    private client: Client,
    private recorder: EventRecorder,
    private binder: Binder,
    private volumes: WrittenObjects,
    private dataDir: string,
  ) {}

  /** The recorder an external provisioner reports with: `<provisioner>_<host>_<instance id>`. */
  private provisionerRecorder(provisioner: string): EventRecorder {
    let r = this.recorders.get(provisioner);
    if (!r) {
      r = this.ctx.recorder(`${provisioner}_k8ts_${this.identity}`);
      this.recorders.set(provisioner, r);
    }
    return r;
  }

  async provisionClaim(pvc: PVC, sc: Stored<StorageClass> | undefined, className: string, selectedNode?: string): Promise<void> {
    if (!sc) {
      this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io ${JSON.stringify(className)} not found`);
      return;
    }
    const provisioner: string = sc.provisioner;
    if (provisioner === NO_PROVISIONER) {
      this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${provisioner}`);
      return;
    }
    const claim = await this.setClaimProvisioner(pvc, provisioner);
    this.recorder.event(
      claim,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. ` +
        'If volume creation is delayed, please verify that the provisioner is running and correctly registered.',
    );
    if (HOSTPATH_PROVISIONERS.has(provisioner)) await this.provisionHostPath(claim, sc, provisioner, selectedNode);
  }

  private async setClaimProvisioner(pvc: PVC, provisioner: string): Promise<PVC> {
    const ann = pvc.metadata.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] === provisioner && ann[ANN_BETA_STORAGE_PROVISIONER] === provisioner) return pvc;
    const next = structuredClone(pvc);
    next.metadata.annotations = { ...ann, [ANN_BETA_STORAGE_PROVISIONER]: provisioner, [ANN_STORAGE_PROVISIONER]: provisioner };
    return this.binder.saveClaim(next);
  }

  private async provisionHostPath(pvc: PVC, sc: Stored<StorageClass>, provisioner: string, selectedNode?: string): Promise<void> {
    const name = provisionedVolumeName(pvc);
    if (this.volumes.get(name)) return;
    const events = this.provisionerRecorder(provisioner);
    const claimKey = `${pvc.metadata.namespace}/${pvc.metadata.name}`;
    events.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim ${JSON.stringify(claimKey)}`);
    const refusal = provisioningRefusal(pvc);
    if (refusal) {
      events.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass ${JSON.stringify(sc.metadata.name)}: ${refusal}`);
      return;
    }
    const path = volumeDirectory(this.dataDir, pvc);
    await createVolumeDirectory(path);
    try {
      this.volumes.remember(await this.client.resource(REFS.persistentvolumes).create('', provisionedVolume(pvc, sc, provisioner, path, selectedNode)));
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists')) throw e;
    }
    events.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
  }

  /**
   * Delete a released volume whose reclaim policy is Delete. Volumes from the hostpath provisioners lose
   * their directory and their object; other provisioners' volumes are left to them; anything else has no
   * deleter and the volume goes Failed.
   */
  async deleteVolume(pv: Stored<PersistentVolume>): Promise<void> {
    const provisionedBy: string | undefined = pv.metadata.annotations?.[ANN_PROVISIONED_BY];
    if (provisionedBy && !HOSTPATH_PROVISIONERS.has(provisionedBy) && !provisionedBy.startsWith('kubernetes.io/')) return;
    if (!provisionedBy || !HOSTPATH_PROVISIONERS.has(provisionedBy) || !pv.spec?.hostPath) {
      await this.binder.updateVolumePhaseWithEvent(
        pv,
        'Failed',
        'Warning',
        'VolumeFailedDelete',
        `error getting deleter volume plugin for volume ${JSON.stringify(pv.metadata.name)}: no deletable volume plugin matched`,
      );
      return;
    }
    const refused = await removeVolumeDirectory(this.dataDir, pv.spec.hostPath.path);
    if (refused) {
      await this.binder.updateVolumePhaseWithEvent(pv, 'Failed', 'Warning', 'VolumeFailedDelete', refused);
      return;
    }
    try {
      await this.client.resource(REFS.persistentvolumes).delete('', pv.metadata.name);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
    this.volumes.forget(pv);
  }
}
