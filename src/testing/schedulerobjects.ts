// Nodes, pods and a running scheduler on a test cluster, for the scheduler's tests.

import type { Container, ContainerPort, Node, Pod, PodCondition, PodSpec, ResourceRequirements } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { REFS } from '../client/client.js';
import { testCluster, waitFor, type TestCluster } from './fixture.js';
import { Scheduler } from '../scheduler/scheduler.js';

export interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
  unschedulable?: boolean;
  ready?: 'True' | 'False' | 'Unknown';
  extra?: Record<string, string>;
}

export function node(name: string, s: NodeSpec = {}): Node {
  const allocatable = { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110', ...s.extra };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...s.labels } },
    spec: { unschedulable: s.unschedulable, taints: s.taints },
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: s.ready ?? 'True', reason: 'KubeletReady' }] },
  };
}

/** Spec fields of a test pod, plus the requests, limits and ports of its one container. */
export type PodSpecInput = Partial<PodSpec> & Pick<ResourceRequirements, 'requests' | 'limits'> & { ports?: ContainerPort[] };

export function pod(name: string, spec: PodSpecInput = {}, meta: ObjectMeta = {}): Pod {
  const { requests, limits, ports, ...rest } = spec;
  const container: Container = { name: 'app', image: 'nginx' };
  if (requests || limits) container.resources = { requests, limits };
  if (ports) container.ports = ports;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...meta }, spec: { containers: [container], ...rest } };
}

/** Create a node with its status (a create drops status, as the kubelet's registration also finds). */
export async function createNode(c: TestCluster, n: Node): Promise<void> {
  const nodes = c.client.resource(REFS.nodes);
  const created = await nodes.create('', n);
  await nodes.updateStatus('', { ...created, status: n.status });
}

export interface SchedulerCluster extends TestCluster {
  scheduler: Scheduler;
  /** Wait until the pod is bound; returns its node. */
  bound(name: string): Promise<string>;
  /** Wait until the pod has PodScheduled=False; returns the condition. */
  rejected(name: string, reason?: string): Promise<PodCondition>;
}

/** A cluster with these nodes and a started scheduler (short back-off so retries are quick). */
export async function schedulerCluster(nodes: Node[]): Promise<SchedulerCluster> {
  const c = await testCluster();
  for (const n of nodes) await createNode(c, n);
  const pods = c.client.resource(REFS.pods);
  const scheduler = new Scheduler(c.ctx, { queue: { initialBackoffMs: 20, maxBackoffMs: 100 } });
  await c.start();
  scheduler.start();
  return {
    ...c,
    scheduler,
    stop() {
      scheduler.stop();
      c.stop();
    },
    bound: (name) => waitFor(async () => (await pods.get('default', name)).spec!.nodeName!, `${name} to be bound`),
    rejected: (name, reason = 'Unschedulable') =>
      waitFor(async () => {
        const p = await pods.get('default', name);
        return p.status!.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False' && x.reason === reason);
      }, `${name} to be rejected`) as Promise<PodCondition>,
  };
}

/**
 * Cordon a node and wait until the scheduler has seen it: watches of different resources are not
 * ordered with each other, so a pod created right after could otherwise be placed first.
 */
export async function cordon(c: TestCluster, name: string): Promise<void> {
  await c.client.resource(REFS.nodes).patch('', name, 'merge', { spec: { unschedulable: true } });
  await waitFor(() => c.informers.get(REFS.nodes).getByName('', name)?.spec?.unschedulable, `${name} cordoned`);
}

/** Events about an object, as `Type Reason: message`. */
export async function eventsFor(c: TestCluster, name: string): Promise<string[]> {
  const list = await c.client.resource(REFS.events).list('default');
  return list.items.filter((e) => e.involvedObject.name === name).map((e) => `${e.type} ${e.reason}: ${e.message}`);
}
