// The nodes that run inside the server process, named like minikube's (k8ts, k8ts-m02, ...): one
// kubelet each, with the simulated runtime or, on process nodes, real processes; and the cluster DNS
// that process nodes' pods resolve through.

import type { UserInfo } from '../apiserver/authentication/user.js';
import type { Controller, ControllerContext } from '../controllers/context.js';
import { Kubelet } from '../kubelet/kubelet.js';
import { SimRuntime } from '../runtime/sim/simruntime.js';
import { ClusterDNS } from '../dns/clusterdns.js';
import type { Upstream } from '../dns/upstream.js';
import { logger } from '../machinery/log.js';
import { KUBE_DNS_SERVICE_IP } from '../registry/service.js';
import type { Runtime } from '../runtime/runtime.js';
import { Proxier } from '../network/proxier.js';
import { CLUSTER_DNS_USER, KUBE_PROXY_USER, nodeUser } from './identities.js';

const CLUSTER_DOMAIN = 'cluster.local';
const log = logger('cluster-dns');

export interface NodeOptions {
  count: number;
  startDelayMs: number;
  stopDelayMs: number;
  /** The kubelets' nodeLeaseDurationSeconds, as long as the node controller's grace period. */
  leaseDurationSeconds?: number;
  /** The runtimes of process nodes by node index; the other nodes are simulated. */
  processRuntimes?: ReadonlyMap<number, Runtime>;
  /** The directory of a process node. */
  nodeDir?: (nodeName: string) => string;
}

/** The label process nodes carry (the RuntimeClass `process` selects it). */
export const RUNTIME_LABEL = 'k8ts.io/runtime';

export const podCIDR = (i: number): string => `10.244.${i}.0/24`;

export function nodeName(i: number): string {
  return i === 0 ? 'k8ts' : `k8ts-m${String(i + 1).padStart(2, '0')}`;
}

/** One kubelet per node, each acting as its node's user (`system:node:<name>`). */
export function startNodes(contextFor: (user: UserInfo) => ControllerContext, opts: NodeOptions): Kubelet[] {
  return Array.from({ length: opts.count }, (_, i) => {
    const ctx = contextFor(nodeUser(nodeName(i)));
    const runtime = opts.processRuntimes?.get(i) ?? new SimRuntime(ctx.clock);
    return new Kubelet(ctx, {
      nodeName: nodeName(i),
      podCIDR: podCIDR(i),
      nodeIP: `192.168.49.${i + 2}`,
      runtime,
      startDelayMs: opts.startDelayMs,
      stopDelayMs: opts.stopDelayMs,
      leaseDurationSeconds: opts.leaseDurationSeconds,
      labels: { [RUNTIME_LABEL]: runtime.type, ...(i === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {}) },
      processes: runtime.runsProcesses ? { rootDir: opts.nodeDir!(nodeName(i)), clusterDNS: [KUBE_DNS_SERVICE_IP], clusterDomain: CLUSTER_DOMAIN } : undefined,
    });
  });
}

/** The cluster DNS on the kube-dns Service address, port 53 (UDP and TCP), for pods of process nodes. */
export function clusterDNS(contextFor: (user: UserInfo) => ControllerContext, upstream?: Upstream): Controller {
  const ctx = contextFor(CLUSTER_DNS_USER);
  const dns = new ClusterDNS({ informers: ctx.informers, clock: ctx.clock, clusterDomain: CLUSTER_DOMAIN, upstream });
  return {
    start() {
      dns.listen(KUBE_DNS_SERVICE_IP, 53).catch((e: Error) => log.error('Cluster DNS could not listen', { address: `${KUBE_DNS_SERVICE_IP}:53`, err: e.message }));
    },
    stop() {
      dns.close().catch((e: Error) => log.error('Closing the cluster DNS failed', { err: e.message }));
    },
  };
}

/** The service proxy: nftables rules for ClusterIPs, NodePorts and load-balancer addresses, kept in sync with EndpointSlices. */
export function serviceProxy(contextFor: (user: UserInfo) => ControllerContext): Controller {
  const ctx = contextFor(KUBE_PROXY_USER);
  const proxier = new Proxier({ informers: ctx.informers, clock: ctx.clock });
  return {
    start: () => proxier.start(),
    stop() {
      proxier.stop().catch((e: Error) => log.error('Removing the service proxy rules failed', { err: e.message }));
    },
  };
}
