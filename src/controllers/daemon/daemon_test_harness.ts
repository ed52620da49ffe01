// Test support for the DaemonSet controller tests: nodes, a `fluentd` set, a running controller on an
// in-memory cluster, and the kubelet's part (pod readiness and phase) done by hand.

import type { DaemonSet, DaemonSetSpec } from 'kubernetes-types/apps/v1.js';
import type { Event, Node, NodeSpec, Pod } from 'kubernetes-types/core/v1.js';
import { REFS } from '../../client/client.js';
import { rfc3339 } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { testCluster, waitFor, type TestCluster } from '../../testing/fixture.js';
import { DaemonSetController } from './daemon_controller.js';
import { getTargetNodeName } from './daemonset_util.js';

export const NS = 'default';
export { waitFor };

export function node(name: string, labels: Record<string, string> = {}, spec: NodeSpec = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec };
}

export function daemonSet(spec: Partial<DaemonSetSpec> = {}, name = 'fluentd'): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image: 'fluentd:v1' }] } },
      ...spec,
    },
  };
}

export class Harness {
  private controller: DaemonSetController;

  private constructor(readonly cluster: TestCluster) {
    this.controller = new DaemonSetController(cluster.ctx);
  }

  static async start(nodes: Node[]): Promise<Harness> {
    const h = new Harness(await testCluster());
    for (const n of nodes) await h.cluster.client.resource(REFS.nodes).create('', n);
    await h.cluster.start();
    h.controller.start();
    return h;
  }

  stop(): void {
    this.controller.stop();
    this.cluster.stop();
  }

  get client() {
    return this.cluster.client;
  }

  createSet(ds: DaemonSet) {
    return this.client.resource(REFS.daemonsets).create(NS, ds);
  }

  getSet(name = 'fluentd') {
    return this.client.resource(REFS.daemonsets).get(NS, name);
  }

  /** Change the set's spec with a fresh read (retrying conflicts). */
  async updateSpec(change: (spec: DaemonSetSpec) => void, name = 'fluentd'): Promise<void> {
    for (;;) {
      const ds: DaemonSet = structuredClone(await this.getSet(name));
      change(ds.spec!);
      try {
        await this.client.resource(REFS.daemonsets).update(NS, ds);
        return;
      } catch (e) {
        if (!isStatusError(e, 'Conflict')) throw e;
      }
    }
  }

  async updateNode(name: string, change: (n: Node) => void): Promise<void> {
    for (;;) {
      const n: Node = structuredClone(await this.client.resource(REFS.nodes).get('', name));
      change(n);
      try {
        await this.client.resource(REFS.nodes).update('', n);
        return;
      } catch (e) {
        if (!isStatusError(e, 'Conflict')) throw e;
      }
    }
  }

  /** The set's live pods (not being deleted). */
  async pods(set = 'fluentd'): Promise<Pod[]> {
    const list = await this.client.resource(REFS.pods).list(NS);
    return list.items.filter((p) => p.metadata.ownerReferences?.some((r) => r.name === set && r.kind === 'DaemonSet') && !p.metadata.deletionTimestamp);
  }

  /** Target node → pod names, sorted by node. */
  async podsByNode(set = 'fluentd'): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const p of await this.pods(set)) (out[getTargetNodeName(p)] ??= []).push(p.metadata!.name!);
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** Wait until exactly these nodes have exactly one pod each. */
  async waitForNodes(nodes: string[], set = 'fluentd'): Promise<Record<string, string[]>> {
    const found = await waitFor(async () => {
      const by = await this.podsByNode(set);
      const ok = Object.keys(by).join(',') === [...nodes].sort().join(',') && Object.values(by).every((v) => v.length === 1);
      return ok && by;
    }, `pods on exactly [${nodes}]`);
    return found as Record<string, string[]>;
  }

  /** Set phase Running and Ready=True, as a kubelet would. */
  async markReady(name: string): Promise<void> {
    const pod: Pod = await this.client.resource(REFS.pods).get(NS, name);
    const since = rfc3339(this.cluster.clock.now());
    const conditions = [
      { type: 'ContainersReady', status: 'True', lastTransitionTime: since },
      { type: 'Ready', status: 'True', lastTransitionTime: since },
    ];
    await this.client.resource(REFS.pods).updateStatus(NS, { ...pod, status: { ...pod.status, phase: 'Running', conditions } });
  }

  async markFailed(name: string): Promise<void> {
    const pod: Pod = await this.client.resource(REFS.pods).get(NS, name);
    await this.client.resource(REFS.pods).updateStatus(NS, { ...pod, status: { ...pod.status, phase: 'Failed', conditions: [] } });
  }

  async events(): Promise<string[]> {
    const list = await this.client.resource(REFS.events).list(NS);
    return list.items.filter((e: Event) => e.involvedObject.kind === 'DaemonSet').map((e: Event) => `${e.reason} ${e.message}`);
  }
}

/** Let in-flight syncs finish (real time). */
export const settle = (ms = 150): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** waitFor, typed as the truthy value it returns. */
export async function until<T>(check: () => Promise<T | false | undefined>, what: string): Promise<T> {
  return (await waitFor(check, what)) as T;
}
