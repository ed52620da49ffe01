// The nodes that run inside the server process: one kubelet with a simulated runtime each, named
// like minikube's (k8ts, k8ts-m02, ...).

import type { UserInfo } from '../apiserver/authentication/user.js';
import type { ControllerContext } from '../controllers/context.js';
import { Kubelet } from '../kubelet/kubelet.js';
import { SimRuntime } from '../runtime/sim/simruntime.js';
import { nodeUser } from './identities.js';

export interface NodeOptions {
  count: number;
  startDelayMs: number;
  stopDelayMs: number;
  /** The kubelets' nodeLeaseDurationSeconds, as long as the node controller's grace period. */
  leaseDurationSeconds?: number;
}

export function nodeName(i: number): string {
  return i === 0 ? 'k8ts' : `k8ts-m${String(i + 1).padStart(2, '0')}`;
}

/** One kubelet per node, each acting as its node's user (`system:node:<name>`). */
export function startNodes(contextFor: (user: UserInfo) => ControllerContext, opts: NodeOptions): Kubelet[] {
  return Array.from({ length: opts.count }, (_, i) => {
    const ctx = contextFor(nodeUser(nodeName(i)));
    return new Kubelet(ctx, {
      nodeName: nodeName(i),
      podCIDR: `10.244.${i}.0/24`,
      nodeIP: `192.168.49.${i + 2}`,
      runtime: new SimRuntime(ctx.clock),
      startDelayMs: opts.startDelayMs,
      stopDelayMs: opts.stopDelayMs,
      leaseDurationSeconds: opts.leaseDurationSeconds,
      labels: i === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : undefined,
    });
  });
}
