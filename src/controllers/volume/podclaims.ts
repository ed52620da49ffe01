// Which claims a pod uses (pkg/controller/volume/common PodPVCIndex and the PVC protection
// controller's podUsesPVC), indexed on the shared pod informer as `<namespace>/<claim>`.

import type { ContainerStatus, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { Informer } from '../../client/informer.js';
import type { Stored } from '../../client/objects.js';
import { getControllerOf } from '../controller_utils.js';

export const POD_CLAIM_INDEX = 'volume.podClaims';

/** ephemeral.VolumeClaimName: the claim a generic ephemeral volume gets. */
function ephemeralClaimName(pod: Stored<Pod>, volume: Volume): string {
  return `${pod.metadata.name}-${volume.name}`;
}

export function podClaimKeys(pod: Stored<Pod>): string[] {
  const ns = pod.metadata?.namespace ?? '';
  const keys: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) keys.push(`${ns}/${v.persistentVolumeClaim.claimName}`);
    else if (v.ephemeral) keys.push(`${ns}/${ephemeralClaimName(pod, v)}`);
  }
  return keys;
}

export function indexPodsByClaim(pods: Informer<Pod>): void {
  pods.addIndex(POD_CLAIM_INDEX, podClaimKeys);
}

function notRunning(statuses: ContainerStatus[] | undefined): boolean {
  return (statuses ?? []).every((s) => s.state?.terminated || s.state?.waiting);
}

/** volumeutil.IsPodTerminated: a terminal phase, or deleted with no container still running. */
export function isPodTerminated(pod: Pod): boolean {
  const st = pod.status ?? {};
  if (st.phase === 'Failed' || st.phase === 'Succeeded') return true;
  return !!pod.metadata?.deletionTimestamp && notRunning(st.initContainerStatuses) && notRunning(st.containerStatuses) && notRunning(st.ephemeralContainerStatuses);
}

/** The kubelet is done with the pod, or it was force-deleted: a deletion with zero grace left. */
export function podIsShutDown(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp && pod.metadata?.deletionGracePeriodSeconds === 0;
}

const isControlledBy = (obj: Pod | PersistentVolumeClaim, owner: Stored<Pod>): boolean => getControllerOf(obj)?.uid === owner.metadata.uid;

/**
 * podUsesPVC: only a scheduled pod holds a claim (the kubelet will not start a pod whose claim is being
 * deleted). An ephemeral volume's claim counts only while the pod is not shut down and owns the claim.
 */
export function podUsesClaim(pod: Stored<Pod>, pvc: Stored<PersistentVolumeClaim>): boolean {
  if (!pod.spec?.nodeName) return false;
  if (pod.metadata.namespace !== pvc.metadata.namespace) return false;
  for (const v of pod.spec.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName === pvc.metadata.name) return true;
    if (v.ephemeral && !podIsShutDown(pod) && ephemeralClaimName(pod, v) === pvc.metadata.name && isControlledBy(pvc, pod)) return true;
  }
  return false;
}
