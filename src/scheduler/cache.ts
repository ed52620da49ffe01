// The scheduler cache (pkg/scheduler/backend/cache): NodeInfo per node, fed by node and assigned-pod
// events. A pod the scheduler has chosen a node for is "assumed" there at once, so the next pod already
// sees its resources taken, and stays counted until the informer shows it bound (or binding fails).

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../client/objects.js';
import type { ClusterEvent } from './framework.js';
import { newPodInfo, NodeInfo, refreshPodInfo, sameRecord, type PodInfo } from './nodeinfo.js';
import { readyStatus } from './taints.js';

const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** Which scheduling-relevant parts of a node changed (the Node/Update action types queueing uses). */
export function nodeChanges(old: Node, cur: Node): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  if (!sameRecord(old.metadata?.labels, cur.metadata?.labels)) events.push('NodeLabel');
  if (!!old.spec?.unschedulable !== !!cur.spec?.unschedulable || JSON.stringify(old.spec?.taints ?? []) !== JSON.stringify(cur.spec?.taints ?? [])) {
    events.push('NodeTaint');
  }
  if (!sameRecord(old.status?.allocatable, cur.status?.allocatable)) events.push('NodeAllocatable');
  if (readyStatus(old) !== readyStatus(cur)) events.push('NodeCondition');
  return events;
}

export class SchedulerCache {
  private nodes = new Map<string, NodeInfo>();
  private sorted: NodeInfo[] | undefined;
  /** Pod UID → the node it is counted on. */
  private podNodes = new Map<string, string>();
  private assumed = new Set<string>();

  /** Nodes that exist, by name. */
  nodeList(): NodeInfo[] {
    this.sorted ??= [...this.nodes.values()].filter((n) => n.node).sort((a, b) => (a.name < b.name ? -1 : 1));
    return this.sorted;
  }

  get(name: string): NodeInfo | undefined {
    const n = this.nodes.get(name);
    return n?.node ? n : undefined;
  }

  private info(name: string): NodeInfo {
    let n = this.nodes.get(name);
    if (!n) {
      n = new NodeInfo(name);
      this.nodes.set(name, n);
    }
    return n;
  }

  addNode(node: Stored<Node>): void {
    this.info(node.metadata.name).setNode(node);
    this.sorted = undefined;
  }

  updateNode(old: Stored<Node>, node: Stored<Node>): ClusterEvent[] {
    this.info(node.metadata.name).setNode(node);
    return nodeChanges(old, node);
  }

  removeNode(node: Stored<Node>): void {
    const n = this.nodes.get(node.metadata.name);
    if (!n) return;
    // Pods still bound there keep their NodeInfo until they are gone too.
    n.node = undefined;
    if (!n.pods.size) this.nodes.delete(n.name);
    this.sorted = undefined;
  }

  assumePod(p: PodInfo, nodeName: string): void {
    this.info(nodeName).addPod(p);
    this.podNodes.set(p.uid, nodeName);
    this.assumed.add(p.uid);
  }

  /** Undo assumePod after a failed binding; false if the informer has confirmed the pod meanwhile. */
  forgetPod(uid: string): boolean {
    if (!this.assumed.delete(uid)) return false;
    this.removeCounted(uid);
    return true;
  }

  isAssumed(uid: string): boolean {
    return this.assumed.has(uid);
  }

  /** An assigned pod was added or updated; true when it stopped counting (it finished). */
  upsertPod(pod: Stored<Pod>): boolean {
    const uid: string = pod.metadata.uid;
    const nodeName: string = pod.spec!.nodeName!;
    const where = this.podNodes.get(uid);
    this.assumed.delete(uid);
    if (isTerminal(pod)) return where !== undefined && !!this.removeCounted(uid);
    if (where === nodeName) {
      const n = this.nodes.get(nodeName)!;
      const old = n.pods.get(uid)!;
      n.removePod(uid);
      n.addPod(refreshPodInfo(old, pod));
      return false;
    }
    const reuse = where !== undefined ? this.removeCounted(uid) : undefined;
    this.info(nodeName).addPod(reuse ? refreshPodInfo(reuse, pod) : newPodInfo(pod));
    this.podNodes.set(uid, nodeName);
    return false;
  }

  /** An assigned pod was deleted; true when it had been counted. */
  removePod(pod: Stored<Pod>): boolean {
    this.assumed.delete(pod.metadata.uid);
    return !!this.removeCounted(pod.metadata.uid);
  }

  private removeCounted(uid: string): PodInfo | undefined {
    const where = this.podNodes.get(uid);
    if (where === undefined) return undefined;
    this.podNodes.delete(uid);
    const n = this.nodes.get(where)!;
    const p = n.removePod(uid);
    if (!n.node && !n.pods.size) this.nodes.delete(where);
    return p;
  }
}
