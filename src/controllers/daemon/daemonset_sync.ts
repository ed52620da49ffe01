// One sync of a DaemonSet (syncDaemonSet, manage, syncNodes, getNodesToDaemonPods in daemon_controller.go):
// history first, then the core loop, then the rolling update once earlier writes have been observed,
// history clean-up and status.

import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { fromLabelSelector, matches, type Selector } from '../../machinery/labels.js';
import { deepEqual } from '../../machinery/objects.js';
import { PodControllerRefManager, recheckDeletionTimestamp, type PodPatcher } from '../controller_ref_manager.js';
import { getControllerOf } from '../controller_utils.js';
import { History } from '../history/controller_history.js';
import { DaemonPodControl } from './daemon_pod_control.js';
import { DAEMON_SET_KIND, DaemonSetHistory } from './daemonset_history.js';
import { computeStatus, storeDaemonSetStatus } from './daemonset_status.js';
import { createPodTemplate, DAEMONSET_HASH_LABEL, getTargetNodeName, getTemplateGeneration, replaceDaemonSetPodNodeNameNodeAffinity } from './daemonset_util.js';
import { Backoff, type Expectations } from './expectations.js';
import { getUnscheduledPodsWithoutNode, podsShouldBeOnNode } from './manage.js';
import { rollingUpdateStep } from './update.js';

/** BurstReplicas: at most this many creations and deletions per sync. */
const BURST_REPLICAS = 250;

export interface SyncDeps {
  client: Client;
  clock: Clock;
  recorder: EventRecorder;
  pods: Informer<Pod>;
  revisions: Informer<ControllerRevision>;
  expectations: Expectations;
  enqueueAfter(ds: DaemonSet, ms: number): void;
}

class AggregateError extends Error {
  constructor(readonly errors: unknown[]) {
    super(errors.length === 1 ? String((errors[0] as Error)?.message ?? errors[0]) : `[${errors.map((e) => (e as Error)?.message ?? String(e)).join(', ')}]`);
  }
}

function throwAll(errors: unknown[]): void {
  if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
}

const isTerminal = (p: Pod): boolean => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

export class DaemonSetSync {
  readonly failedPodsBackoff: Backoff;
  private podControl: DaemonPodControl;
  private history: DaemonSetHistory;
  private revisionApi: History;
  private podPatcher: PodPatcher;

  constructor(private d: SyncDeps) {
    this.failedPodsBackoff = new Backoff(d.clock);
    this.podControl = new DaemonPodControl(d.client, d.recorder);
    this.history = new DaemonSetHistory(d.client);
    this.revisionApi = new History(d.client, d.revisions, d.clock);
    this.podPatcher = { patchPod: (ns, name, patch) => d.client.resource(REFS.pods).patch(ns, name, 'strategic', patch) };
  }

  async syncDaemonSet(key: string, ds: DaemonSet, nodes: Node[]): Promise<void> {
    if (deepEqual(ds.spec?.selector, {})) {
      this.d.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    let selector: Selector;
    try {
      selector = fromLabelSelector(ds.spec?.selector);
    } catch {
      return; // a selector that does not convert will not convert on retry either
    }
    // While the set is being deleted its revisions may already be gone: its status cannot be computed.
    if (ds.metadata?.deletionTimestamp) return;
    const controlled = await this.controlledHistories(ds, selector);
    const ownPods = () => this.d.pods.byIndex('namespace', ds.metadata!.namespace!).filter((p: Pod) => getControllerOf(p)?.uid === ds.metadata!.uid);
    const { cur, old } = await this.history.constructHistory(ds, controlled, ownPods);
    const hash = cur.metadata?.labels?.[DAEMONSET_HASH_LABEL] ?? '';
    if (!this.d.expectations.satisfied(key)) {
      // Only status: observedGeneration is not raised for a generation not acted on.
      return this.updateStatus(ds, nodes, selector, hash, false);
    }
    const errors: unknown[] = [];
    try {
      await this.manage(key, ds, nodes, selector, hash);
      if (this.d.expectations.satisfied(key) && ds.spec?.updateStrategy?.type === 'RollingUpdate') {
        const nodeToDaemonPods = await this.getNodesToDaemonPods(ds, selector, false);
        const step = rollingUpdateStep(ds, nodes, nodeToDaemonPods, hash, this.d.clock.now());
        await this.syncNodes(key, ds, step.podsToDelete, step.nodesToCreate, hash);
      }
      const all = await this.getNodesToDaemonPods(ds, selector, true);
      await this.history.cleanupHistory(ds, old, [...all.values()].flat());
    } catch (e) {
      errors.push(e);
    }
    try {
      await this.updateStatus(ds, nodes, selector, hash, true);
    } catch (e) {
      errors.push(e);
    }
    throwAll(errors);
  }

  private async updateStatus(ds: DaemonSet, nodes: Node[], selector: Selector, hash: string, updateObservedGen: boolean): Promise<void> {
    const nodeToDaemonPods = await this.getNodesToDaemonPods(ds, selector, false);
    const counts = computeStatus(ds, nodes, nodeToDaemonPods, hash, this.d.clock.now());
    await storeDaemonSetStatus(this.d.client, ds, counts, updateObservedGen);
    // A last line of defence against clock skew: look again once minReadySeconds have passed.
    const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && counts.numberReady !== counts.numberAvailable) this.d.enqueueAfter(ds, minReadySeconds * 1000);
  }

  private async manage(key: string, ds: DaemonSet, nodes: Node[], selector: Selector, hash: string): Promise<void> {
    const nodeToDaemonPods = await this.getNodesToDaemonPods(ds, selector, false);
    const nodesNeeding: string[] = [];
    const podsToDelete: string[] = [];
    const now = this.d.clock.now();
    for (const node of nodes) {
      const nodeName = node.metadata!.name!;
      const decision = podsShouldBeOnNode(ds, node, nodeToDaemonPods.get(nodeName), hash, now);
      if (decision.createOnNode) nodesNeeding.push(nodeName);
      podsToDelete.push(...decision.podsToDelete);
      for (const pod of decision.failedPods) {
        // Kubelets that reject a pod fight the controller; back off per node instead of hot-looping.
        const backoffKey = `${ds.metadata!.uid}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
        if (this.failedPodsBackoff.inBackoffSinceUpdate(backoffKey)) {
          this.d.enqueueAfter(ds, this.failedPodsBackoff.get(backoffKey));
          continue;
        }
        this.failedPodsBackoff.next(backoffKey);
        const msg = `Found failed daemon pod ${pod.metadata!.namespace}/${pod.metadata!.name} on node ${nodeName}, will try to kill it`;
        this.d.recorder.event(ds, 'Warning', 'FailedDaemonPod', msg);
        podsToDelete.push(pod.metadata!.name!);
      }
    }
    podsToDelete.push(...getUnscheduledPodsWithoutNode(nodes, nodeToDaemonPods));
    await this.syncNodes(key, ds, podsToDelete, nodesNeeding, hash);
  }

  /** Create pods on the nodes (slow start: batches of 1, 2, 4, …) and delete the pods, expecting to see each. */
  private async syncNodes(key: string, ds: DaemonSet, podsToDelete: string[], nodesNeeding: string[], hash: string): Promise<void> {
    const createDiff = Math.min(nodesNeeding.length, BURST_REPLICAS);
    const toDelete = podsToDelete.slice(0, BURST_REPLICAS);
    const ns = ds.metadata!.namespace!;
    this.d.expectations.expect(key, createDiff, toDelete.map((n) => `${ns}/${n}`));
    let generation: number | undefined;
    try {
      generation = getTemplateGeneration(ds);
    } catch {
      generation = undefined;
    }
    const template = createPodTemplate(ds.spec!.template, generation, hash);
    const errors: unknown[] = [];
    for (let pos = 0, batch = Math.min(createDiff, 1); pos < createDiff; pos += batch, batch = Math.min(2 * batch, createDiff - pos)) {
      const before = errors.length;
      await Promise.all(
        nodesNeeding.slice(pos, pos + batch).map(async (nodeName) => {
          const podTemplate = structuredClone(template);
          podTemplate.spec!.affinity = replaceDaemonSetPodNodeNameNodeAffinity(podTemplate.spec!.affinity, nodeName);
          try {
            await this.podControl.createPod(ds, podTemplate);
          } catch (e) {
            this.d.expectations.creationObserved(key);
            errors.push(e);
          }
        }),
      );
      const skipped = createDiff - (pos + batch);
      if (errors.length > before && skipped > 0) {
        for (let i = 0; i < skipped; i++) this.d.expectations.creationObserved(key);
        break;
      }
    }
    await Promise.all(
      toDelete.map(async (name) => {
        try {
          await this.podControl.deletePod(ds, name);
        } catch (e) {
          this.d.expectations.deletionObserved(key, `${ns}/${name}`);
          if (!isStatusError(e, 'NotFound')) errors.push(e);
        }
      }),
    );
    throwAll(errors);
  }

  /** A live read of the set before adopting anything: it must still be the same object and not being deleted. */
  private canAdoptFunc(ds: DaemonSet): () => Promise<void> {
    return recheckDeletionTimestamp(async () => {
      const fresh = await this.d.client.resource(REFS.daemonsets).get(ds.metadata!.namespace!, ds.metadata!.name!);
      const { namespace, name, uid } = ds.metadata!;
      if (fresh.metadata.uid !== uid) throw new Error(`original DaemonSet ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
      return fresh;
    });
  }

  /** The set's pods (adopting and releasing) by target node; terminal pods being deleted only when asked. */
  private async getNodesToDaemonPods(ds: DaemonSet, selector: Selector, includeDeletedTerminal: boolean): Promise<Map<string, Pod[]>> {
    const manager = new PodControllerRefManager(this.podPatcher, ds, selector, DAEMON_SET_KIND, this.canAdoptFunc(ds));
    const { claimed, errors } = await manager.claimPods(this.d.pods.byIndex('namespace', ds.metadata!.namespace!));
    throwAll(errors);
    const out = new Map<string, Pod[]>();
    for (const pod of claimed) {
      if (!includeDeletedTerminal && isTerminal(pod) && pod.metadata?.deletionTimestamp) continue;
      let nodeName: string;
      try {
        nodeName = getTargetNodeName(pod);
      } catch {
        continue;
      }
      const list = out.get(nodeName);
      if (list) list.push(pod);
      else out.set(nodeName, [pod]);
    }
    return out;
  }

  /** Revisions the set controls after adopting matching orphans and releasing owned ones that no longer match. */
  private async controlledHistories(ds: DaemonSet, selector: Selector): Promise<ControllerRevision[]> {
    const out: ControllerRevision[] = [];
    const canAdopt = this.canAdoptFunc(ds);
    let checked: Promise<void> | undefined;
    for (const r of this.d.revisions.byIndex('namespace', ds.metadata!.namespace!)) {
      const ref = getControllerOf(r);
      const match = matches(selector, r.metadata?.labels);
      if (ref) {
        if (ref.uid !== ds.metadata!.uid) continue;
        if (match) out.push(r);
        else await this.releaseRevision(ds, r);
        continue;
      }
      if (!match || r.metadata?.deletionTimestamp) continue;
      await (checked ??= canAdopt());
      try {
        out.push(await this.revisionApi.adoptControllerRevision(ds, DAEMON_SET_KIND, r));
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
    }
    return out;
  }

  private async releaseRevision(ds: DaemonSet, r: ControllerRevision): Promise<void> {
    const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: ds.metadata!.uid }], uid: r.metadata!.uid } };
    try {
      await this.d.client.resource(REFS.controllerrevisions).patch(r.metadata!.namespace!, r.metadata!.name!, 'strategic', patch);
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Invalid')) throw e;
    }
  }
}
