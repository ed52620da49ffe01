// The pod nominator (backend/queue nominator): pending pods that preemption made room for on a node,
// from status.nominatedNodeName or from this scheduler's own decision before the API shows it. Filters
// count the nominated pods of equal or higher priority as already on their node, so the room freed by
// preemption is not taken by a lower-priority pod while the victims terminate.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../client/objects.js';
import { newPodInfo, type PodInfo } from './nodeinfo.js';

const nominatedNodeName = (pod: Pod | undefined): string => pod?.status?.nominatedNodeName ?? '';

export class Nominator {
  private byNode = new Map<string, Map<string, PodInfo>>();
  private nodeOf = new Map<string, string>();

  /** Nominate `pi` to `nodeName`, replacing an earlier nomination. */
  add(pi: PodInfo, nodeName: string): void {
    this.delete(pi.uid);
    if (!nodeName) return;
    let pods = this.byNode.get(nodeName);
    if (!pods) {
      pods = new Map();
      this.byNode.set(nodeName, pods);
    }
    pods.set(pi.uid, pi);
    this.nodeOf.set(pi.uid, nodeName);
  }

  delete(uid: string): void {
    const nodeName = this.nodeOf.get(uid);
    if (nodeName === undefined) return;
    this.nodeOf.delete(uid);
    const pods = this.byNode.get(nodeName)!;
    pods.delete(uid);
    if (!pods.size) this.byNode.delete(nodeName);
  }

  /**
   * An unassigned pod this scheduler handles was added or changed. updateNominatedPodUnlocked: when
   * neither version carries a nominatedNodeName, a nomination made in memory is kept (the API write may
   * not have arrived yet); otherwise the pod's own field decides.
   */
  sync(old: Stored<Pod> | undefined, pod: Stored<Pod>): void {
    const uid = pod.metadata.uid;
    let nodeName = nominatedNodeName(pod);
    if (!nodeName && !nominatedNodeName(old)) nodeName = this.nodeOf.get(uid) ?? '';
    if (nodeName) this.add(newPodInfo(pod), nodeName);
    else this.delete(uid);
  }

  nominatedNode(uid: string): string | undefined {
    return this.nodeOf.get(uid);
  }

  /** Pods nominated to `nodeName`. */
  forNode(nodeName: string): Iterable<PodInfo> {
    return this.byNode.get(nodeName)?.values() ?? [];
  }
}
