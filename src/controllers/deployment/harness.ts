// Test support for the Deployment controller: the `web` deployment of the docs, a controller on an in-memory
// cluster with a VirtualClock, and a stand-in ReplicaSet controller that only writes replica set statuses.

import type { Deployment, DeploymentSpec, ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import { REFS } from '../../client/client.js';
import { VirtualClock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { deepEqual } from '../../machinery/objects.js';
import { testCluster, waitFor, type TestCluster } from '../../testing/fixture.js';
import { DeploymentController } from './deployment_controller.js';
import { revisionOf } from './deployment_util.js';

export const NS = 'default';

export const IMAGE_1 = 'nginx:1.14.2';
export const IMAGE_2 = 'nginx:1.16.1';
export const IMAGE_3 = 'nginx:1.17.0';

export function webDeployment(spec: Partial<DeploymentSpec> = {}, annotations?: Record<string, string>): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS, labels: { app: 'nginx' }, ...(annotations ? { annotations } : {}) },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: IMAGE_1, ports: [{ containerPort: 80 }] }] } },
      ...spec,
    },
  };
}

/**
 * What the ReplicaSet controller reports, without pods: every replica exists and is ready and available,
 * except `unavailable(rs)` of them; a replica set for which `hold(rs)` is true keeps its last status
 * (pods still running or terminating).
 */
export class FakeReplicaSetController {
  unavailable: (rs: ReplicaSet) => number = () => 0;
  hold: (rs: ReplicaSet) => boolean = () => false;
  conditions: (rs: ReplicaSet) => ReplicaSetCondition[] | undefined = () => undefined;
  private stopped = false;

  constructor(private cluster: TestCluster) {
    cluster.informers.get(REFS.replicasets).addHandler({ add: (rs) => void this.reconcile(rs), update: (_o, rs) => void this.reconcile(rs) });
  }

  stop(): void {
    this.stopped = true;
  }

  /** Apply the current policy to every replica set. */
  async resync(): Promise<void> {
    for (const rs of this.cluster.informers.get(REFS.replicasets).list()) await this.reconcile(rs);
  }

  private async reconcile(rs: ReplicaSet): Promise<void> {
    if (this.stopped || this.hold(rs)) return;
    const replicas = rs.spec?.replicas ?? 0;
    const available = Math.max(0, replicas - this.unavailable(rs));
    const status: ReplicaSetStatus = { replicas, fullyLabeledReplicas: replicas, readyReplicas: available, availableReplicas: available, observedGeneration: rs.metadata?.generation };
    const conditions = this.conditions(rs);
    if (conditions) status.conditions = conditions;
    if (deepEqual(rs.status, status)) return;
    try {
      await this.cluster.client.resource(REFS.replicasets).updateStatus(NS, { ...rs, status });
    } catch (e) {
      // A stale copy: the informer delivers the newer one, which is reconciled in turn.
      if (!isStatusError(e, 'Conflict') && !isStatusError(e, 'NotFound')) throw e;
    }
  }
}

export interface Harness {
  cluster: TestCluster;
  clock: VirtualClock;
  rsc: FakeReplicaSetController;
  stop(): void;
}

export async function start(): Promise<Harness> {
  const clock = new VirtualClock();
  const cluster = await testCluster(clock);
  const controller = new DeploymentController(cluster.ctx);
  const rsc = new FakeReplicaSetController(cluster);
  await cluster.start();
  controller.start();
  return {
    cluster,
    clock,
    rsc,
    stop() {
      rsc.stop();
      controller.stop();
      cluster.stop();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `check`, letting the virtual clock run on in small steps (for rate-limited requeues after conflicts). */
export const until = <T>(h: Harness, check: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<T> =>
  waitFor(check, what, timeoutMs, async () => {
    await h.clock.advance(10);
    await sleep(2);
  });

/** Let every pending sync run (real time plus a little virtual time). */
export async function settle(h: Harness): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await h.clock.advance(10);
    await sleep(10);
  }
}

export const getDeployment = (h: Harness): Promise<Deployment> => h.cluster.client.resource(REFS.deployments).get(NS, 'web');

/** The deployment's replica sets, lowest revision first. */
export async function replicaSets(h: Harness): Promise<ReplicaSet[]> {
  const list = await h.cluster.client.resource(REFS.replicasets).list(NS);
  return list.items.sort((a: ReplicaSet, b: ReplicaSet) => revisionOf(a) - revisionOf(b));
}

/** The spec sizes of the replica sets, by revision. */
export async function sizes(h: Harness): Promise<number[]> {
  return (await replicaSets(h)).map((rs) => rs.spec?.replicas ?? 0);
}

export const setImage = (h: Harness, image: string): Promise<unknown> =>
  h.cluster.client.resource(REFS.deployments).patch(NS, 'web', 'merge', { spec: { template: { spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] } } } });

export const patchSpec = (h: Harness, spec: Partial<DeploymentSpec>): Promise<unknown> => h.cluster.client.resource(REFS.deployments).patch(NS, 'web', 'merge', { spec });

/** The deployment's events, oldest first, as "Type Reason Message". */
export async function deploymentEvents(h: Harness): Promise<string[]> {
  await h.cluster.ctx.recorder('deployment-controller').flush();
  const list = await h.cluster.client.resource(REFS.events).list(NS);
  return list.items
    .filter((e) => e.involvedObject.kind === 'Deployment')
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e) => `${e.type} ${e.reason} ${e.message}`);
}

/** Whether the rollout finished: what `kubectl rollout status` waits for. */
export async function rolledOut(h: Harness): Promise<boolean> {
  const d = await getDeployment(h);
  const s = d.status ?? {};
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    (s.updatedReplicas ?? 0) === d.spec!.replicas &&
    (s.replicas ?? 0) === d.spec!.replicas &&
    (s.availableReplicas ?? 0) === d.spec!.replicas &&
    progressing?.reason === 'NewReplicaSetAvailable'
  );
}
