// The taint eviction controller (pkg/controller/tainteviction): deletes the pods of a node with NoExecute
// taints they do not tolerate, at once, or after the shortest tolerationSeconds of the tolerations used,
// counted from when the controller saw the taint; the deletion is cancelled if the taints go away first.

import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { Clock, Timer } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { logger } from '../../machinery/log.js';
import { deepEqual } from '../../machinery/objects.js';
import type { Controller, ControllerContext } from '../context.js';
import { updatePodCondition } from './node_health.js';
import { matchingTolerations, minTolerationMs, noExecuteTaints } from './tolerations.js';

const RETRIES = 5;
const log = logger('taint-eviction-controller');

interface Work {
  createdAt: number;
  fireAt: number;
  timer?: Timer;
  /** The deletion ran: the entry only keeps the pod from being deleted again. */
  fired?: boolean;
}

export class TaintEvictionController implements Controller {
  private client: Client;
  private clock: Clock;
  private recorder: EventRecorder;
  private nodes: Informer<Node>;
  private pods: Informer<Pod>;
  private taintedNodes = new Map<string, Taint[]>();
  /** Scheduled deletions by pod key; a fired one stays until cancelled so the pod is not deleted twice. */
  private work = new Map<string, Work>();
  private running = false;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.recorder = ctx.recorder('taint-eviction-controller');
    this.nodes = ctx.informers.get(REFS.nodes);
    this.pods = ctx.informers.get(REFS.pods);
    this.pods.addIndex('spec.nodeName', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.nodes.addHandler({
      add: (n) => this.nodeUpdated(undefined, n),
      update: (o, n) => this.nodeUpdated(o, n),
      delete: (n) => this.nodeUpdated(n, undefined),
    });
    this.pods.addHandler({
      add: (p) => this.podUpdated(undefined, p),
      update: (o, p) => this.podUpdated(o, p),
      delete: (p) => this.podUpdated(p, undefined),
    });
  }

  start(): void {
    void Promise.all([this.nodes.waitForSync(), this.pods.waitForSync()]).then(() => {
      this.running = true;
      for (const node of this.nodes.list()) this.handleNodeUpdate(node.metadata.name);
    });
  }

  stop(): void {
    this.running = false;
    for (const w of this.work.values()) w.timer?.cancel();
    this.work.clear();
  }

  private nodeUpdated(old: Node | undefined, cur: Node | undefined): void {
    if (!this.running) return;
    if (old && cur && deepEqual(noExecuteTaints(old.spec?.taints), noExecuteTaints(cur.spec?.taints))) return;
    this.handleNodeUpdate((cur ?? old)!.metadata!.name!);
  }

  private podUpdated(old: Pod | undefined, cur: Pod | undefined): void {
    if (!this.running) return;
    if (old && cur && deepEqual(old.spec?.tolerations ?? [], cur.spec?.tolerations ?? []) && old.spec?.nodeName === cur.spec?.nodeName) return;
    const pod = (cur ?? old)!;
    const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
    if (!cur) return this.cancelWork(key, false);
    const nodeName = cur.spec?.nodeName;
    if (!nodeName) return;
    const taints = this.taintedNodes.get(nodeName);
    if (taints) this.processPodOnNode(key, cur.spec?.tolerations, taints, this.clock.now());
  }

  private handleNodeUpdate(name: string): void {
    const node = this.nodes.getByName('', name);
    const taints = noExecuteTaints(node?.spec?.taints);
    if (!node || !taints.length) this.taintedNodes.delete(name);
    else this.taintedNodes.set(name, taints);
    if (!node) return;
    const pods = this.pods.byIndex('spec.nodeName', name);
    const now = this.clock.now();
    for (const pod of pods) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (!taints.length) this.cancelWork(key, true);
      else this.processPodOnNode(key, pod.spec?.tolerations, taints, now);
    }
  }

  private processPodOnNode(key: string, tolerations: Toleration[] | undefined, taints: Taint[], now: number): void {
    if (!taints.length) return this.cancelWork(key, true);
    const { all, used } = matchingTolerations(taints, tolerations);
    if (!all) {
      log.info('Not all taints are tolerated after update for pod on node', { pod: key });
      this.cancelWork(key, true);
      return this.addWork(key, now, now);
    }
    const min = minTolerationMs(used);
    if (min < 0) return this.cancelWork(key, true);
    let createdAt = now;
    const scheduled = this.work.get(key);
    if (scheduled && !scheduled.fired) {
      createdAt = scheduled.createdAt;
      if (createdAt + min < now + min) return;
      this.cancelWork(key, true);
    }
    this.addWork(key, createdAt, createdAt + min);
  }

  private addWork(key: string, createdAt: number, fireAt: number): void {
    if (this.work.has(key)) return;
    const w: Work = { createdAt, fireAt };
    this.work.set(key, w);
    const run = async () => {
      const ok = await this.deletePod(key);
      if (this.work.get(key) !== w) return;
      if (ok) w.fired = true;
      else this.work.delete(key);
    };
    const delay = fireAt - this.clock.now();
    if (delay <= 0) void run();
    else w.timer = this.clock.setTimeout(() => void run(), delay);
  }

  private cancelWork(key: string, withEvent: boolean): void {
    const w = this.work.get(key);
    if (!w) return;
    w.timer?.cancel();
    this.work.delete(key);
    if (withEvent && !w.fired) this.recorder.event(podRef(key), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  private async deletePod(key: string): Promise<boolean> {
    log.info('Deleting pod', { controller: 'taint-eviction-controller', pod: key });
    this.recorder.event(podRef(key), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    for (let i = 0; i < RETRIES; i++) {
      try {
        await this.addConditionAndDeletePod(key);
        return true;
      } catch (e) {
        if (i === RETRIES - 1) log.error('Failed to delete pod', { pod: key, err: e });
        else await this.clock.sleep(10);
      }
    }
    return false;
  }

  private async addConditionAndDeletePod(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const pods = this.client.resource(REFS.pods);
    let pod;
    try {
      pod = await pods.get(ns, name);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return;
      throw e;
    }
    const status = structuredClone(pod.status ?? {});
    const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' };
    if (updatePodCondition(status, condition, this.clock.now())) {
      await pods.patch(ns, name, 'strategic', { metadata: { uid: pod.metadata.uid }, status: { conditions: status.conditions!.filter((c) => c.type === 'DisruptionTarget') } }, 'status');
    }
    try {
      await pods.delete(ns, name);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}

function podRef(key: string) {
  const [namespace, name] = key.split('/');
  return { kind: 'Pod', apiVersion: 'v1', metadata: { namespace, name } };
}
