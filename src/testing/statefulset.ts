// Test support for the StatefulSet controller tests: the tutorial's `web` set, a controller on an in-memory
// cluster, and a stand-in for the kubelet (bind, mark Running+Ready, finish deletions), by hand or automatically.

import type { StatefulSet, StatefulSetSpec, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { REFS } from '../client/client.js';
import { rfc3339, type Clock } from '../machinery/clock.js';
import { isStatusError } from '../machinery/errors.js';
import { testCluster, waitFor, type TestCluster } from './fixture.js';
import { StatefulSetController } from '../controllers/statefulset/stateful_set.js';

export const NS = 'default';

/** The StatefulSet of the "StatefulSet Basics" tutorial, with spec overrides. */
export function webSet(spec: Partial<StatefulSetSpec> = {}, name = 'web'): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS },
    spec: {
      serviceName: 'nginx',
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'registry.k8s.io/nginx-slim:0.24',
              ports: [{ containerPort: 80, name: 'web' }],
              volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  };
}

export interface Harness {
  cluster: TestCluster;
  kubelet: TestKubelet;
  /** Pod watch events in arrival order, as "ADDED web-0", "DELETED web-1". */
  podEvents: string[];
  stop(): void;
}

/** A running controller on a fresh in-memory cluster. */
export async function startController(clock?: Clock): Promise<Harness> {
  const cluster = await testCluster(clock);
  const controller = new StatefulSetController(cluster.ctx);
  await cluster.start();
  controller.start();
  const podEvents: string[] = [];
  const watch = cluster.client.pods.watch(NS, {}, (ev) => podEvents.push(`${ev.type} ${ev.object?.metadata?.name}`), () => undefined);
  const kubelet = new TestKubelet(cluster);
  return {
    cluster,
    kubelet,
    podEvents,
    stop() {
      watch.stop();
      kubelet.stop();
      controller.stop();
      cluster.stop();
    },
  };
}

/**
 * What a kubelet would do to pods, driven by the test. With `auto` on, new pods are bound and made
 * Running+Ready (unless their name is in `unready`) and deletions finish at once (unless `holdDeletion`).
 */
export class TestKubelet {
  auto = false;
  holdDeletion = false;
  unready = new Set<string>();
  private stopped = false;

  constructor(private cluster: TestCluster) {
    cluster.informers.get(REFS.pods).addHandler({
      add: (pod) => this.react(pod),
      update: (_old, pod) => this.react(pod),
    });
  }

  stop(): void {
    this.stopped = true;
  }

  get client() {
    return this.cluster.client;
  }

  /** Bind to a node, so that deletion becomes graceful and waits for finishDeletion. */
  async bind(name: string, node = 'node-1'): Promise<void> {
    await this.client.pods.createSubresource(NS, name, 'binding', { metadata: { name }, target: { kind: 'Node', name: node } });
  }

  /** Set phase Running and the Ready condition (true or false) through the status subresource. */
  async markReady(name: string, ready = true): Promise<void> {
    for (;;) {
      const pod: Pod = structuredClone(await this.client.pods.get(NS, name));
      const status = { ...pod.status };
      const was = status.conditions?.find((c) => c.type === 'Ready');
      const value = ready ? 'True' : 'False';
      const since = was?.status === value ? was.lastTransitionTime : rfc3339(this.cluster.clock.now());
      status.phase = 'Running';
      status.conditions = [
        ...(status.conditions ?? []).filter((c) => c.type !== 'Ready' && c.type !== 'ContainersReady'),
        { type: 'ContainersReady', status: value, lastTransitionTime: since },
        { type: 'Ready', status: value, lastTransitionTime: since },
      ];
      try {
        await this.client.pods.updateStatus(NS, { ...pod, status });
        return;
      } catch (e) {
        if (!isStatusError(e, 'Conflict')) throw e;
      }
    }
  }

  /** Set a terminal phase, as a kubelet does when the pod's containers exit for good. */
  async markPhase(name: string, phase: 'Failed' | 'Succeeded'): Promise<void> {
    const pod: Pod = await this.client.pods.get(NS, name);
    await this.client.pods.updateStatus(NS, { ...pod, status: { ...pod.status, phase, conditions: [] } });
  }

  /** The kubelet's final delete of a terminating pod. */
  async finishDeletion(name: string): Promise<void> {
    try {
      await this.client.pods.delete(NS, name, { gracePeriodSeconds: 0 });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  private react(pod: Pod): void {
    if (!this.auto || this.stopped) return;
    const name = pod.metadata!.name!;
    const step = async () => {
      if (pod.metadata?.deletionTimestamp) {
        if (!this.holdDeletion) await this.finishDeletion(name);
      } else if (!pod.spec?.nodeName) await this.bind(name);
      else if (pod.status?.phase === 'Pending' && !this.unready.has(name)) await this.markReady(name);
    };
    step().catch(() => undefined);
  }
}

export const getPod = (h: Harness, name: string): Pod | undefined => h.cluster.informers.get(REFS.pods).getByName(NS, name);

export const podNames = (h: Harness): string[] =>
  h.cluster.informers
    .get(REFS.pods)
    .list()
    .map((p: Pod) => p.metadata!.name!)
    .sort();

export const getSet = (h: Harness, name = 'web'): Promise<StatefulSet> => h.cluster.client.statefulSets.get(NS, name);

/** Wait until the stored status satisfies `pred`, and return it. */
export async function statusWhen(h: Harness, pred: (s: StatefulSetStatus) => boolean, what: string, name = 'web'): Promise<StatefulSetStatus> {
  const found = await waitFor(async () => {
    const s = (await getSet(h, name)).status;
    return s && pred(s) ? s : undefined;
  }, what);
  return found!;
}

/** Merge-patch the set's spec (what `kubectl patch` and `kubectl scale` end up doing). */
export const patchSpec = (h: Harness, spec: Record<string, unknown>, name = 'web'): Promise<StatefulSet> =>
  h.cluster.client.statefulSets.patch(NS, name, 'merge', { spec });

export const setImage = (h: Harness, image: string, name = 'web'): Promise<StatefulSet> =>
  h.cluster.client.statefulSets.patch(NS, name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image }] } } } });

export const imageOf = (pod: Pod | undefined): string | undefined => pod?.spec?.containers[0].image;

/** Let the controller run for a while, to show that something does *not* happen. */
export const settle = (ms = 150): Promise<void> => new Promise((r) => setTimeout(r, ms));

export { waitFor };
