// VolumeBinding (plugins/volumebinding): a pod's claims must exist; a claim bound to a PersistentVolume
// with node affinity limits the pod to matching nodes; an unbound claim of a WaitForFirstConsumer class is
// provisioned for the node the pod lands on, which the scheduler announces by annotating the claim with
// volume.kubernetes.io/selected-node and then waits, before binding the pod, until the claim is bound.

import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, TopologySelectorTerm } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { Stored } from '../../client/objects.js';
import type { Clock } from '../../machinery/clock.js';
import { unresolvable, type BindingPlugin, type CycleState, type FilterPlugin, type PreFilterPlugin } from '../framework.js';
import type { NodeInfo, PodInfo } from '../nodeinfo.js';
import { compileNodeSelectorTerms } from './nodeselector.js';
import { ANN_SELECTED_NODE } from '../../api/storage/annotations.js';

export { ANN_SELECTED_NODE };
const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
const NOT_SUPPORTED_PROVISIONER = 'kubernetes.io/no-provisioner';

export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
// 1.32 wording; 1.33 renamed it "node(s) didn't match PersistentVolume's node affinity".
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

const KEY = 'VolumeBinding';
const DEFAULT_BIND_TIMEOUT_MS = 600_000;

type NodeTest = (node: Node) => boolean;

interface Claims {
  /** One test per bound claim: undefined when its PersistentVolume does not exist. */
  bound: Array<NodeTest | undefined>;
  /** Unbound WaitForFirstConsumer claims and where their class may provision. */
  delayed: Array<{ pvc: Stored<PersistentVolumeClaim>; provisionable: NodeTest }>;
}

export interface VolumeBindingDeps {
  client: Client;
  clock: Clock;
  pvcs: Informer<PersistentVolumeClaim>;
  pvs: Informer<PersistentVolume>;
  classes: Informer<StorageClass>;
  /** The node object by name, for the final node affinity check of a provisioned volume. */
  node: (name: string) => Stored<Node> | undefined;
  bindTimeoutMs?: number;
}

function claimNames(pod: Stored<Pod>): Array<{ name: string; ephemeral: boolean }> {
  const out: Array<{ name: string; ephemeral: boolean }> = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push({ name: v.persistentVolumeClaim.claimName, ephemeral: false });
    else if (v.ephemeral) out.push({ name: `${pod.metadata.name}-${v.name}`, ephemeral: true });
  }
  return out;
}

function claimClass(pvc: Stored<PersistentVolumeClaim>): string {
  return pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

// isPVCFullyBound wants the bind-completed annotation; a Bound phase is accepted as the same fact.
function isBound(pvc: Stored<PersistentVolumeClaim>): boolean {
  return !!pvc.spec?.volumeName && (pvc.metadata.annotations?.[ANN_BIND_COMPLETED] !== undefined || pvc.status?.phase === 'Bound');
}

// The assume cache compares resourceVersions as integers, as etcd revisions are.
const version = (obj: Stored<PersistentVolumeClaim>) => Number(obj.metadata.resourceVersion);

function pvNodeTest(pv: PersistentVolume): NodeTest {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  return terms ? compileNodeSelectorTerms(terms) : () => true;
}

// v1helper.MatchTopologySelectorTerms: no terms allow every node.
function topologyTest(terms: TopologySelectorTerm[] | undefined): NodeTest {
  if (!terms?.length) return () => true;
  return (node) => {
    const labels = node.metadata?.labels ?? {};
    return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => e.key in labels && (e.values ?? []).includes(labels[e.key])));
  };
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, BindingPlugin {
  readonly name = 'VolumeBinding';
  readonly events = ['NodeAdd', 'NodeLabel', 'PersistentVolume', 'PersistentVolumeClaim', 'StorageClass'] as const;
  private waiters = new Set<() => void>();

  constructor(private deps: VolumeBindingDeps) {}

  preFilter(state: CycleState, pod: PodInfo) {
    const names = claimNames(pod.pod);
    if (!names.length) return undefined;
    const pvcs: Array<Stored<PersistentVolumeClaim>> = [];
    for (const { name, ephemeral } of names) {
      const pvc = this.deps.pvcs.getByName(pod.namespace, name);
      if (!pvc) {
        return unresolvable(ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`);
      }
      if (pvc.status?.phase === 'Lost') return unresolvable(`persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${pvc.spec!.volumeName}"`);
      if (pvc.metadata.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
      pvcs.push(pvc);
    }
    const claims: Claims = { bound: [], delayed: [] };
    let immediate = 0;
    for (const pvc of pvcs) {
      if (isBound(pvc)) {
        const pv = this.deps.pvs.getByName('', pvc.spec!.volumeName!);
        claims.bound.push(pv ? pvNodeTest(pv) : undefined);
        continue;
      }
      const cls = claimClass(pvc) ? this.deps.classes.getByName('', claimClass(pvc)) : undefined;
      // A pre-bound claim (volumeName set, binding not completed) counts as immediate.
      if (cls?.volumeBindingMode !== 'WaitForFirstConsumer' || pvc.spec?.volumeName) {
        immediate++;
        continue;
      }
      const provisioner = cls.provisioner;
      const provisionable = !provisioner || provisioner === NOT_SUPPORTED_PROVISIONER ? () => false : topologyTest(cls.allowedTopologies);
      claims.delayed.push({ pvc, provisionable });
    }
    if (immediate) return unresolvable(ERR_REASON_UNBOUND_IMMEDIATE);
    state.write(KEY, claims);
    return undefined;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo) {
    const claims = state.read<Claims>(KEY);
    if (!claims) return undefined;
    const reasons: string[] = [];
    if (claims.bound.some((t) => t && !t(node.node!))) reasons.push(ERR_REASON_NODE_CONFLICT);
    if (claims.delayed.some((c) => !c.provisionable(node.node!))) reasons.push(ERR_REASON_BIND_CONFLICT);
    if (claims.bound.some((t) => !t)) reasons.push(ERR_REASON_PV_NOT_EXIST);
    return reasons.length ? unresolvable(...reasons) : undefined;
  }

  /** BindPodVolumes: select the node on each delayed claim, then wait until all of them are bound. */
  async preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<void> {
    const claims = state.read<Claims>(KEY);
    if (!claims?.delayed.length) return;
    // The claim as written: until the informer has caught up with it, its older copies do not count.
    const written = new Map<string, number>();
    for (const { pvc } of claims.delayed) {
      const name: string = pvc.metadata.name;
      const current = this.deps.pvcs.getByName(pod.namespace, name) ?? pvc;
      if (current.metadata.annotations?.[ANN_SELECTED_NODE] === nodeName) {
        written.set(name, version(current));
        continue;
      }
      const patched = await this.deps.client.resource(REFS.persistentvolumeclaims).patch(pod.namespace, name, 'merge', {
        metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName } },
      });
      written.set(name, version(patched));
    }
    const timeout = this.deps.bindTimeoutMs ?? DEFAULT_BIND_TIMEOUT_MS;
    await this.waitFor(() => [...written].every(([name, rv]) => this.provisioned(pod.namespace, name, rv, nodeName)), timeout);
  }

  /** Called on every PersistentVolumeClaim and PersistentVolume change, to wake pods waiting in preBind. */
  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  // checkBindings for one provisioned claim: true when bound to a volume reachable from the node.
  private provisioned(ns: string, name: string, writtenVersion: number, nodeName: string): boolean {
    const pvc = this.deps.pvcs.getByName(ns, name);
    if (!pvc) throw new Error(`failed to check provisioning pvc: persistentvolumeclaim "${name}" not found`);
    if (version(pvc) < writtenVersion) return false;
    if (isBound(pvc)) {
      const pv = this.deps.pvs.getByName('', pvc.spec!.volumeName!);
      if (!pv) return false;
      const node = this.deps.node(nodeName) ?? { metadata: { name: nodeName } };
      if (!pvNodeTest(pv)(node)) throw new Error(`pv "${pv.metadata.name}" node affinity doesn't match node "${nodeName}": no matching NodeSelectorTerms`);
      return true;
    }
    const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
    if (selected === undefined) throw new Error(`selectedNode annotation reset for PVC "${name}"`);
    if (selected !== nodeName) throw new Error(`selectedNode annotation value "${selected}" not set to scheduled node "${nodeName}"`);
    return false;
  }

  private waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (err?: Error) => {
        this.waiters.delete(wake);
        timer.cancel();
        if (err) reject(err);
        else resolve();
      };
      const wake = () => {
        try {
          if (check()) finish();
        } catch (e) {
          finish(e as Error);
        }
      };
      const timer = this.deps.clock.setTimeout(() => finish(new Error('binding volumes: context deadline exceeded')), timeoutMs);
      this.waiters.add(wake);
      wake();
    });
  }
}
