// ControllerRevision history of a DaemonSet (constructHistory, snapshot, dedupCurHistories, cleanupHistory
// in pkg/controller/daemon/update.go): each revision stores a patch replacing spec.template, named
// `<ds>-<hash>` and labelled controller-revision-hash.

import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import { isStatusError } from '../../machinery/errors.js';
import { deepEqual, type Mutable } from '../../machinery/objects.js';
import { newControllerRef, type GroupVersionKind } from '../controller_utils.js';
import { hashControllerRevision } from '../history/controller_history.js';
import { DAEMONSET_HASH_LABEL } from './daemonset_util.js';

export const DAEMON_SET_KIND: GroupVersionKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' };

/** getPatch: `{"spec":{"template":{...,"$patch":"replace"}}}`, what `kubectl rollout undo` applies. */
export function getPatch(ds: DaemonSet): object {
  return { spec: { template: { ...structuredClone(ds.spec?.template ?? {}), $patch: 'replace' } } };
}

/** Match: the revision holds the set's current template. */
export const matchRevision = (ds: DaemonSet, revision: ControllerRevision): boolean => deepEqual(revision.data, getPatch(ds));

/**
 * controller.ComputeHash over the template and collision count. Upstream hashes Go's spew dump with FNV-1a,
 * which cannot be reproduced byte for byte; this hashes the canonical JSON as the history package does.
 */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount: number | undefined): string {
  const probe: ControllerRevision = { revision: 0, data: (template ?? {}) as object };
  return hashControllerRevision(probe, collisionCount);
}

const maxRevision = (revisions: ControllerRevision[]): number => revisions.reduce((m, r) => Math.max(m, r.revision), 0);

export class DaemonSetHistory {
  constructor(private client: Client) {}

  private get revisions() {
    return this.client.resource(REFS.controllerrevisions);
  }

  /** The current revision (created or renumbered as needed) and the old ones, from the set's controlled revisions. */
  async constructHistory(ds: DaemonSet, controlled: ControllerRevision[], pods: () => Pod[]): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
    const current: ControllerRevision[] = [];
    const old: ControllerRevision[] = [];
    for (let h of controlled) {
      // Histories from before the label existed get their name as the label, so no hash needs recomputing.
      if (!h.metadata?.labels?.[DAEMONSET_HASH_LABEL]) {
        const toUpdate = structuredClone(h);
        toUpdate.metadata!.labels = { ...(toUpdate.metadata!.labels ?? {}), [DAEMONSET_HASH_LABEL]: toUpdate.metadata!.name! };
        h = await this.revisions.update(ds.metadata!.namespace!, toUpdate);
      }
      (matchRevision(ds, h) ? current : old).push(h);
    }
    const currRevision = maxRevision(old) + 1;
    if (!current.length) return { cur: await this.snapshot(ds, currRevision), old };
    let cur = await this.dedupCurHistories(ds, current, pods);
    if (cur.revision < currRevision) {
      const toUpdate = structuredClone(cur);
      toUpdate.revision = currRevision;
      cur = await this.revisions.update(ds.metadata!.namespace!, toUpdate);
    }
    return { cur, old };
  }

  /** Store a revision of the current template; a taken name with other data bumps status.collisionCount and fails the sync. */
  async snapshot(ds: DaemonSet, revision: number): Promise<ControllerRevision> {
    const ns = ds.metadata!.namespace!;
    const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
    const name = `${ds.metadata!.name}-${hash}`;
    const history: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [DAEMONSET_HASH_LABEL]: hash },
        ownerReferences: [newControllerRef(ds, DAEMON_SET_KIND)],
      },
      data: getPatch(ds),
      revision,
    };
    if (ds.metadata?.annotations) history.metadata!.annotations = { ...ds.metadata.annotations };
    try {
      return await this.revisions.create(ns, history);
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists')) throw e;
      const existing = await this.revisions.get(ns, name);
      if (matchRevision(ds, existing)) return existing;
      const currDS: Mutable<DaemonSet> = structuredClone(await this.client.resource(REFS.daemonsets).get(ns, ds.metadata!.name!));
      if (currDS.status?.collisionCount !== ds.status?.collisionCount) {
        throw new Error(`found a stale collision count (${ds.status?.collisionCount}, expected ${currDS.status?.collisionCount}) of DaemonSet "${ds.metadata!.name}" while processing; will retry until it is updated`);
      }
      currDS.status = { ...(currDS.status ?? { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 }) };
      currDS.status.collisionCount = (currDS.status.collisionCount ?? 0) + 1;
      await this.client.resource(REFS.daemonsets).updateStatus(ns, currDS);
      throw e;
    }
  }

  /** Several revisions equal the template: keep the newest, relabel pods of the others to its hash, delete them. */
  private async dedupCurHistories(ds: DaemonSet, current: ControllerRevision[], pods: () => Pod[]): Promise<ControllerRevision> {
    if (current.length === 1) return current[0];
    const keep = current.reduce((a, b) => (b.revision > a.revision ? b : a));
    const keepHash = keep.metadata!.labels![DAEMONSET_HASH_LABEL];
    for (const dup of current) {
      if (dup === keep) continue;
      const dupHash = dup.metadata?.labels?.[DAEMONSET_HASH_LABEL];
      for (const pod of pods()) {
        if (pod.metadata?.labels?.[DAEMONSET_HASH_LABEL] !== dupHash) continue;
        const patch = { metadata: { labels: { [DAEMONSET_HASH_LABEL]: keepHash } } };
        await this.client.resource(REFS.pods).patch(pod.metadata!.namespace!, pod.metadata!.name!, 'merge', patch);
      }
      await this.deleteRevision(dup);
    }
    return keep;
  }

  /** Delete the oldest old revisions beyond revisionHistoryLimit, sparing any a live pod still carries. */
  async cleanupHistory(ds: DaemonSet, old: ControllerRevision[], pods: Pod[]): Promise<void> {
    let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
    if (toKill <= 0) return;
    const liveHashes = new Set(pods.map((p) => p.metadata?.labels?.[DAEMONSET_HASH_LABEL]).filter((h) => !!h));
    for (const h of [...old].sort((a, b) => a.revision - b.revision)) {
      if (toKill <= 0) break;
      if (liveHashes.has(h.metadata?.labels?.[DAEMONSET_HASH_LABEL])) continue;
      await this.deleteRevision(h);
      toKill--;
    }
  }

  private async deleteRevision(r: ControllerRevision): Promise<void> {
    try {
      await this.revisions.delete(r.metadata!.namespace!, r.metadata!.name!);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
