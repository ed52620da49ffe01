// The pod garbage collector (pkg/controller/podgc): force-deletes terminated pods beyond a threshold,
// terminating pods on out-of-service nodes, pods bound to nodes that are gone (after a quarantine),
// and terminating pods that were never scheduled. Pods not yet terminal are marked Failed first.

import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { rfc3339, type Clock, type Timer } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { logger } from '../../machinery/log.js';
import type { Controller, ControllerContext } from '../context.js';
import { orphanCondition, podsToGC } from './gc_selection.js';

export interface PodGCOptions {
  /** gcCheckPeriod (20 s). */
  gcCheckPeriodMs?: number;
  /** --terminated-pod-gc-threshold (12500); 0 or less turns that collection off. */
  terminatedPodThreshold?: number;
  /** quarantineTime (40 s): how long a node must be missing before its pods go. */
  quarantineTimeMs?: number;
}

const log = logger('pod-garbage-collector');

export class PodGCController implements Controller {
  private client: Client;
  private clock: Clock;
  private pods: Informer<Pod>;
  private nodes: Informer<Node>;
  /** The delaying node queue: missing node name → when its quarantine ends. */
  private quarantine = new Map<string, number>();
  private timer?: Timer;
  private stopped = false;
  private opts: Required<PodGCOptions>;

  constructor(ctx: ControllerContext, options: PodGCOptions = {}) {
    this.opts = { gcCheckPeriodMs: 20_000, terminatedPodThreshold: 12_500, quarantineTimeMs: 40_000, ...options };
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.pods = ctx.informers.get(REFS.pods);
    this.nodes = ctx.informers.get(REFS.nodes);
  }

  start(): void {
    void Promise.all([this.pods.waitForSync(), this.nodes.waitForSync()]).then(() => {
      const tick = async () => {
        if (this.stopped) return;
        await this.gc().catch((e) => log.error('Error while garbage collecting pods', { err: e }));
        if (!this.stopped) this.timer = this.clock.setTimeout(tick, this.opts.gcCheckPeriodMs);
      };
      if (!this.stopped) this.timer = this.clock.setTimeout(tick, this.opts.gcCheckPeriodMs);
    });
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  async gc(): Promise<void> {
    const pods = this.pods.list();
    const nodes = this.nodes.list();
    const existing = new Set(nodes.map((n) => n.metadata.name));
    const now = this.clock.now();
    for (const pod of pods) {
      const node = pod.spec?.nodeName;
      if (node && !existing.has(node) && !this.quarantine.has(node)) this.quarantine.set(node, now + this.opts.quarantineTimeMs);
    }
    const deletedNodes = await this.discoverDeletedNodes(existing, now);
    for (const { pod, reason } of podsToGC(pods, nodes, deletedNodes, this.opts.terminatedPodThreshold)) {
      await this.markFailedAndDeletePod(pod, reason === 'orphaned' ? orphanCondition : undefined).catch((e) => log.error('Failed to delete pod', { pod: `${pod.metadata!.namespace}/${pod.metadata!.name}`, reason, err: e }));
    }
  }

  /** Nodes whose quarantine ended and that the API still does not know. */
  private async discoverDeletedNodes(existing: Set<string>, now: number): Promise<Set<string>> {
    const deleted = new Set<string>();
    for (const [name, at] of [...this.quarantine]) {
      if (at > now) continue;
      this.quarantine.delete(name);
      if (existing.has(name)) continue;
      try {
        await this.client.resource(REFS.nodes).get('', name);
      } catch (e) {
        if (isStatusError(e, 'NotFound')) deleted.add(name);
        else log.error('Error while getting node', { node: name, err: e });
      }
    }
    return deleted;
  }

  /** markFailedAndDeletePodWithCondition: an orphan would stay Running forever, so it is moved to Failed before the force delete. */
  private async markFailedAndDeletePod(pod: Pod, condition: PodCondition | undefined): Promise<void> {
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    log.info('PodGC is force deleting Pod', { pod: `${ns}/${name}` });
    const pods = this.client.resource(REFS.pods);
    const phase = pod.status?.phase;
    try {
      if (phase !== 'Succeeded' && phase !== 'Failed') {
        const status: Record<string, unknown> = { phase: 'Failed' };
        if (condition) status.conditions = [withTransition(pod, condition, this.clock.now())];
        await pods.patch(ns, name, 'strategic', { metadata: { uid: pod.metadata!.uid }, status }, 'status');
      }
      await pods.delete(ns, name, { gracePeriodSeconds: 0 });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}

/** UpdatePodCondition's lastTransitionTime: kept when the status does not change. */
function withTransition(pod: Pod, condition: PodCondition, now: number): PodCondition {
  const old = pod.status?.conditions?.find((c) => c.type === condition.type);
  const lastTransitionTime = old?.status === condition.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
  return { ...condition, lastTransitionTime };
}
