// kube-scheduler (pkg/scheduler): takes pending pods meant for "default-scheduler" off the scheduling
// queue one at a time, picks a node with the filter and score plugins, assumes the pod there in the cache
// and binds it through pods/binding while the next pod is already being scheduled. A pod that fits
// nowhere gets PodScheduled=False/Unschedulable and a FailedScheduling event, and waits for a cluster
// change that could help it; if evicting lower-priority pods somewhere would make room, they are
// preempted first and the pod is nominated to that node (status.nominatedNodeName), whose room the
// nominator then keeps from pods of lower priority.

import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { REFS } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import type { Stored } from '../client/objects.js';
import type { Controller, ControllerContext } from '../controllers/context.js';
import { logger } from '../machinery/log.js';
import { CycleState, type ClusterEvent } from './framework.js';
import { SchedulerCache } from './cache.js';
import { newPodInfo, type PodInfo } from './nodeinfo.js';
import { Nominator } from './nominator.js';
import { prepareCandidate } from './preemptor.js';
import type { Candidate } from './preemption.js';
import { updatePodScheduled, type PodScheduledCondition } from './podstatus.js';
import { defaultProfile, type Profile } from './profile.js';
import { DEFAULT_QUEUE_OPTIONS, SchedulingQueue, type QueuedPodInfo, type QueueOptions } from './queue.js';
import { GenericScheduler, type FailureReason } from './schedule_one.js';

export const SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  queue?: Partial<QueueOptions>;
  /** How long PreBind waits for WaitForFirstConsumer claims to be provisioned (upstream: 600 s). */
  bindTimeoutMs?: number;
}

const NOTE_LENGTH_LIMIT = 1024;
const log = logger('scheduler');

function truncateMessage(message: string): string {
  if (message.length <= NOTE_LENGTH_LIMIT) return message;
  const suffix = ' ...';
  return message.slice(0, NOTE_LENGTH_LIMIT - suffix.length) + suffix;
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** A pod this scheduler should place: ours by name, unassigned, alive. */
export function responsibleForPod(pod: Stored<Pod>): boolean {
  const name = pod.spec?.schedulerName || SCHEDULER_NAME;
  return name === SCHEDULER_NAME && !pod.spec?.nodeName && !pod.metadata.deletionTimestamp && !isTerminal(pod);
}

function usesClaim(pod: Stored<Pod>, pvc: Stored<PersistentVolumeClaim>): boolean {
  if (pod.metadata.namespace !== pvc.metadata.namespace) return false;
  return (pod.spec?.volumes ?? []).some(
    (v) => v.persistentVolumeClaim?.claimName === pvc.metadata.name || (v.ephemeral && `${pod.metadata.name}-${v.name}` === pvc.metadata.name),
  );
}

const podRef = (pod: Stored<Pod>) => ({ kind: 'Pod', apiVersion: 'v1', metadata: pod.metadata });

const needsOtherPods = (pod: Stored<Pod>): boolean =>
  !!pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length || !!pod.spec?.topologySpreadConstraints?.length;

/** Pods scheduled per turn of the event loop at most. */
const BATCH = 64;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const GATED: PodScheduledCondition = { status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' };

export class Scheduler implements Controller {
  private readonly cache = new SchedulerCache();
  private readonly nominator = new Nominator();
  private readonly queue: SchedulingQueue;
  private readonly profile: Profile;
  private readonly algorithm: GenericScheduler;
  private readonly recorder: EventRecorder;
  private readonly pods: Informer<Pod>;
  private readonly informers: Array<{ waitForSync(): Promise<void> }>;
  private stopped = false;

  constructor(
    private ctx: ControllerContext,
    opts: SchedulerOptions = {},
  ) {
    this.pods = ctx.informers.get(REFS.pods);
    const nodes = ctx.informers.get(REFS.nodes);
    const pvcs = ctx.informers.get(REFS.persistentvolumeclaims);
    const pvs = ctx.informers.get(REFS.persistentvolumes);
    const classes = ctx.informers.get(REFS.storageclasses);
    const namespaces = ctx.informers.get(REFS.namespaces);
    const pdbs = ctx.informers.get(REFS.poddisruptionbudgets);
    this.informers = [this.pods, nodes, pvcs, pvs, classes, namespaces, pdbs];
    this.profile = defaultProfile(
      { client: ctx.client, clock: ctx.clock, pvcs, pvs, classes, node: (n) => this.cache.get(n)?.node, bindTimeoutMs: opts.bindTimeoutMs },
      () => this.cache.nodeList(),
      { get: (name) => namespaces.getByName('', name), list: () => namespaces.list() },
    );
    const pluginEvents = new Map<string, ReadonlySet<ClusterEvent>>(this.profile.filter.map((p) => [p.name, new Set(p.events)]));
    this.queue = new SchedulingQueue(ctx.clock, pluginEvents, { ...DEFAULT_QUEUE_OPTIONS, ...opts.queue });
    this.algorithm = new GenericScheduler(this.profile, { nominatedPods: (n) => this.nominator.forNode(n), pdbs: () => pdbs.list() });
    this.recorder = ctx.recorder(SCHEDULER_NAME);

    nodes.addHandler({
      add: (node) => {
        this.cache.addNode(node);
        this.queue.moveAll('NodeAdd');
      },
      update: (old, node) => {
        for (const ev of this.cache.updateNode(old, node)) this.queue.moveAll(ev);
      },
      delete: (node) => this.cache.removeNode(node),
    });
    this.pods.addHandler({
      add: (pod) => this.onPod(undefined, pod),
      update: (old, pod) => this.onPod(old, pod),
      delete: (pod) => {
        this.queue.delete(pod.metadata.uid);
        this.nominator.delete(pod.metadata.uid);
        if (pod.spec?.nodeName && this.cache.removePod(pod)) this.queue.moveAll('AssignedPodDelete');
      },
    });
    const claimChanged = (pvc: Stored<PersistentVolumeClaim>) => {
      this.profile.volumeBinding.notify();
      this.queue.moveAll('PersistentVolumeClaim', (pod) => usesClaim(pod, pvc));
    };
    pvcs.addHandler({ add: claimChanged, update: (_old, pvc) => claimChanged(pvc) });
    const volumeChanged = () => {
      this.profile.volumeBinding.notify();
      this.queue.moveAll('PersistentVolume');
    };
    pvs.addHandler({ add: volumeChanged, update: volumeChanged });
    classes.addHandler({ add: () => this.queue.moveAll('StorageClass'), update: () => this.queue.moveAll('StorageClass') });
  }

  start(): void {
    this.queue.start();
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.queue.close();
  }

  private onPod(old: Stored<Pod> | undefined, pod: Stored<Pod>): void {
    const uid = pod.metadata.uid;
    if (pod.spec?.nodeName) {
      this.queue.delete(uid);
      this.nominator.delete(uid);
      const newlyAssigned = !old?.spec?.nodeName;
      if (this.cache.upsertPod(pod)) this.queue.moveAll('AssignedPodDelete');
      // Only a pod that needs other pods (affinity, spreading) can be helped by one more: a queueing hint.
      if (newlyAssigned) this.queue.moveAll('AssignedPodAdd', needsOtherPods);
      return;
    }
    if (!responsibleForPod(pod)) {
      this.queue.delete(uid);
      this.nominator.delete(uid);
      return;
    }
    this.nominator.sync(old, pod);
    if (old && this.queue.has(uid)) this.queue.update(old, pod);
    else this.queue.add(pod);
    if (pod.spec?.schedulingGates?.length) this.writeCondition(pod, GATED);
  }

  private async run(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.waitForSync()));
    while (!this.stopped) {
      const batch = await this.queue.popBatch(BATCH);
      if (!batch.length) return;
      // Watches of different resources are not ordered with each other: let the events of writes made
      // before these pods' (their claims, a cordon) reach the informers before deciding. One turn of
      // the event loop per batch, not per pod: the loop is busy with everything else during a burst.
      await yieldToEventLoop();
      for (const q of batch) {
        if (this.stopped) return;
        try {
          const preempting = this.scheduleOne(q);
          // Upstream's synchronous preemption: the victims are evicted before the next pod is tried.
          if (preempting) await preempting;
        } catch (e) {
          this.onFailure(q, 'SchedulerError', (e as Error).message, new Set());
        }
      }
    }
  }

  private scheduleOne(q: QueuedPodInfo): Promise<void> | undefined {
    const pod = this.pods.getByName(q.pod.metadata.namespace!, q.pod.metadata.name);
    if (!pod || pod.metadata.uid !== q.uid || !responsibleForPod(pod)) {
      this.queue.delete(q.uid);
      return;
    }
    q.pod = pod;
    const pi = newPodInfo(pod);
    const state = new CycleState();
    const outcome = this.algorithm.schedule(state, pi, this.cache.nodeList(), (n) => this.cache.get(n));
    if (outcome.kind === 'failed') {
      const pf = outcome.postFilter;
      if (pf?.kind === 'nominate') return this.preempt(q, pi, pf.candidate, outcome.message, outcome.plugins);
      if (pf?.kind === 'clear') this.nominator.delete(pi.uid);
      this.onFailure(q, outcome.reason, outcome.message, outcome.plugins, pf?.kind === 'clear' ? '' : undefined);
      return;
    }
    this.nominator.delete(pi.uid);
    this.cache.assumePod(pi, outcome.nodeName);
    void this.bindingCycle(q, state, pi, outcome.nodeName);
  }

  private async bindingCycle(q: QueuedPodInfo, state: CycleState, pi: PodInfo, nodeName: string): Promise<void> {
    const { namespace, name } = pi;
    try {
      for (const pl of this.profile.preBind) {
        try {
          await pl.preBind(state, pi, nodeName);
        } catch (e) {
          throw new Error(`running PreBind plugin "${pl.name}": ${(e as Error).message}`);
        }
      }
      await this.ctx.client.resource(REFS.pods).createSubresource(namespace, name, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
    } catch (e) {
      if (this.cache.forgetPod(pi.uid)) this.queue.moveAll('AssignedPodDelete');
      this.onFailure(q, 'SchedulerError', (e as Error).message, new Set());
      return;
    }
    this.queue.done(pi.uid);
    this.recorder.event(podRef(pi.pod), 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`);
  }

  /** Evict the candidate's victims, then nominate the node for the pod, which waits for them to go. */
  private async preempt(q: QueuedPodInfo, pi: PodInfo, c: Candidate, message: string, plugins: Set<string>): Promise<void> {
    const lower = [...this.nominator.forNode(c.nodeName)].filter((p) => p.priority < pi.priority);
    try {
      await prepareCandidate({ client: this.ctx.client, clock: this.ctx.clock, recorder: this.recorder }, pi.pod, c, lower);
    } catch (e) {
      this.onFailure(q, 'Unschedulable', `${message} preemption: ${(e as Error).message}`, plugins);
      return;
    }
    for (const p of lower) this.nominator.delete(p.uid);
    this.nominator.add(pi, c.nodeName);
    this.onFailure(q, 'Unschedulable', message, plugins, c.nodeName);
  }

  /**
   * handleSchedulingFailure: requeue, then tell the user why, unless the pod is gone or bound.
   * `nominated` sets status.nominatedNodeName ('' clears it); undefined leaves it.
   */
  private onFailure(q: QueuedPodInfo, reason: FailureReason, message: string, plugins: Set<string>, nominated?: string): void {
    const pod = this.pods.getByName(q.pod.metadata.namespace!, q.pod.metadata.name);
    if (!pod || pod.metadata.uid !== q.uid || pod.spec?.nodeName) {
      this.queue.delete(q.uid);
      return;
    }
    this.queue.failed(q, plugins);
    this.recorder.event(podRef(pod), 'Warning', 'FailedScheduling', truncateMessage(message));
    this.writeCondition(pod, { status: 'False', reason, message }, nominated);
  }

  private writeCondition(pod: Stored<Pod>, cond: PodScheduledCondition, nominated?: string): void {
    // A lost write is redone on the next attempt; the event above already carries the message.
    updatePodScheduled(this.ctx.client, this.ctx.clock, pod, cond, nominated).catch((e) =>
      log.error('Error updating pod', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, err: e }),
    );
  }
}
