// An in-memory cluster for the plugins' tests: NodeInfos, pods placed on them, and scheduling attempts
// through GenericScheduler with the default filters and scores that need no API objects (no volumes).

import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Stored } from '../../client/objects.js';
import { CycleState } from '../framework.js';
import { newPodInfo, NodeInfo, type PodInfo } from '../nodeinfo.js';
import { Nominator } from '../nominator.js';
import type { Profile } from '../profile.js';
import { GenericScheduler, type ScheduleOutcome } from '../schedule_one.js';
import type { VolumeBinding } from './volumebinding.js';
import { AffinityIndex } from './affinityindex.js';
import type { NamespaceLister } from './affinityterm.js';
import { interPodAffinityFilter } from './interpodaffinity.js';
import { interPodAffinityScore } from './interpodaffinityscoring.js';
import { nodeAffinityFilter, nodeAffinityPreFilter, nodeAffinityScore } from './nodeaffinity.js';
import { nodePorts } from './nodeports.js';
import { leastAllocated, nodeResourcesFit } from './noderesources.js';
import { nodeUnschedulable } from './nodeunschedulable.js';
import { podTopologySpread } from './podtopologyspread.js';
import { podTopologySpreadFilter } from './podtopologyspreadfilter.js';
import { taintTolerationFilter, taintTolerationScore } from './tainttoleration.js';

let uids = 0;

export function stored<T extends { metadata?: object }>(obj: T): Stored<T & { apiVersion?: string; kind?: string }> {
  const metadata = { namespace: 'default', resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z', ...obj.metadata, uid: `uid-${++uids}` };
  return { ...obj, metadata } as unknown as Stored<T & { apiVersion?: string; kind?: string }>;
}

export class FakeCluster {
  readonly nodes: NodeInfo[];
  readonly namespaces = new Map<string, Stored<Namespace>>();
  readonly pdbs: PodDisruptionBudget[] = [];
  readonly nominator = new Nominator();
  private readonly algorithm: GenericScheduler;

  constructor(nodes: Node[]) {
    this.nodes = nodes.map((n) => {
      const info = new NodeInfo(n.metadata!.name!);
      info.setNode(stored(n));
      return info;
    });
    this.nodes.sort((a, b) => (a.name < b.name ? -1 : 1));
    const all = () => this.nodes;
    const lister: NamespaceLister = { get: (name) => this.namespaces.get(name), list: () => [...this.namespaces.values()] };
    const index = new AffinityIndex();
    const spread = podTopologySpreadFilter(all);
    const affinity = interPodAffinityFilter(all, index, lister);
    const profile: Profile = {
      preFilter: [nodeAffinityPreFilter, spread, affinity],
      filter: [nodeUnschedulable, taintTolerationFilter, nodeAffinityFilter, nodePorts, nodeResourcesFit, spread, affinity],
      score: [taintTolerationScore, nodeAffinityScore, leastAllocated, podTopologySpread(all), interPodAffinityScore(all, index, lister)],
      preBind: [],
      volumeBinding: undefined as unknown as VolumeBinding,
    };
    this.algorithm = new GenericScheduler(profile, { nominatedPods: (n) => this.nominator.forNode(n), pdbs: () => this.pdbs });
  }

  node(name: string): NodeInfo {
    return this.nodes.find((n) => n.name === name)!;
  }

  addNamespace(name: string, labels: Record<string, string>): void {
    this.namespaces.set(name, stored({ metadata: { name, labels } }) as Stored<Namespace>);
  }

  /** An already bound pod. */
  place(pod: Pod, nodeName: string): PodInfo {
    const pi = newPodInfo(stored(pod) as Stored<Pod>);
    this.node(nodeName).addPod(pi);
    return pi;
  }

  /** One scheduling attempt; a scheduled pod is assumed on its node, as the scheduler cache does. */
  schedule(pod: Pod): ScheduleOutcome {
    const pi = newPodInfo(stored(pod) as Stored<Pod>);
    const out = this.algorithm.schedule(new CycleState(), pi, this.nodes, (name) => this.nodes.find((n) => n.name === name));
    if (out.kind === 'scheduled') this.node(out.nodeName).addPod(pi);
    return out;
  }

  /** Schedule and return the node, failing the test with the FitError otherwise. */
  bind(pod: Pod): string {
    const out = this.schedule(pod);
    if (out.kind !== 'scheduled') throw new Error(`${pod.metadata?.name} not scheduled: ${out.message}`);
    return out.nodeName;
  }
}

export function failure(out: ScheduleOutcome): string {
  if (out.kind !== 'failed') throw new Error(`expected a failure, got ${out.nodeName}`);
  return out.message;
}
