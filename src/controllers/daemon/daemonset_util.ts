// DaemonSet pod helpers (pkg/controller/daemon/util/daemonset_util.go): the tolerations every daemon pod
// gets, the pod template stamped with revision labels, the node-name affinity that pins a pod to its node,
// and the rolling-update budgets.

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Affinity, Pod, PodSpec, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../../machinery/objects.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from '../../scheduler/taints.js';

/** apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey). */
export const DAEMONSET_HASH_LABEL = 'controller-revision-hash';
/** extensions.DaemonSetTemplateGenerationKey. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** apps.DeprecatedTemplateGeneration: where the apiserver keeps the (internal) spec.templateGeneration. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });

/** The tolerations AddOrUpdateDaemonPodTolerations adds, in upstream's order. */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const t = [
    exists(TAINT_NOT_READY, 'NoExecute'),
    exists(TAINT_UNREACHABLE, 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists(TAINT_UNSCHEDULABLE, 'NoSchedule'),
  ];
  if (hostNetwork) t.push(exists('node.kubernetes.io/network-unavailable', 'NoSchedule'));
  return t;
}

// v1helper.AddOrUpdateTolerationInPodSpec: a toleration with the same key, operator, value and effect is replaced.
const sameToleration = (a: Toleration, b: Toleration): boolean =>
  (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');

/** The spec's tolerations with the daemon tolerations added or replaced (a new array). */
export function addOrUpdateDaemonPodTolerations(spec: PodSpec): Toleration[] {
  const out = [...(spec.tolerations ?? [])];
  for (const t of daemonPodTolerations(!!spec.hostNetwork)) {
    const i = out.findIndex((x) => sameToleration(x, t));
    if (i < 0) out.push(t);
    else if (!deepEqual(out[i], t)) out[i] = t;
  }
  return out;
}

/** GetTemplateGeneration: the deprecated annotation as a number, undefined when absent; throws when it does not parse. */
export function getTemplateGeneration(ds: DaemonSet): number | undefined {
  const v = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (v === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw new Error(`invalid template generation annotation ${JSON.stringify(v)}`);
  return Number(v);
}

const safeTemplateGeneration = (ds: DaemonSet): number | undefined => {
  try {
    return getTemplateGeneration(ds);
  } catch {
    return undefined;
  }
};

/** CreatePodTemplate: the template with daemon tolerations, the template-generation label (when known) and the hash label. */
export function createPodTemplate(template: PodTemplateSpec, generation: number | undefined, hash: string): PodTemplateSpec {
  const t = structuredClone(template);
  const spec: PodSpec = t.spec ?? { containers: [] };
  spec.tolerations = addOrUpdateDaemonPodTolerations(spec);
  t.spec = spec;
  const meta = (t.metadata ??= {});
  const labels: Record<string, string> = { ...(meta.labels ?? {}) };
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) labels[DAEMONSET_HASH_LABEL] = hash;
  meta.labels = labels;
  return t;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes the single term `metadata.name In [node]`. */
export function replaceDaemonSetPodNodeNameNodeAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const nodeSelectorTerms = [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }];
  const out: Affinity = structuredClone(affinity ?? {});
  const nodeAffinity = (out.nodeAffinity ??= {});
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { ...(nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ?? {}), nodeSelectorTerms };
  return out;
}

/** GetTargetNodeName: spec.nodeName, or for an unscheduled pod the node its `metadata.name In` match field names. */
export function getTargetNodeName(pod: Pod): string {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const id = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) throw new Error(`no spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution for pod ${id}`);
  if (!terms.length) throw new Error(`no nodeSelectorTerms in requiredDuringSchedulingIgnoredDuringExecution of pod ${id}`);
  for (const term of terms) {
    for (const exp of term.matchFields ?? []) {
      if (exp.key !== 'metadata.name' || exp.operator !== 'In') continue;
      if (exp.values?.length !== 1) throw new Error(`the matchFields value of '${exp.key}' is not unique for pod ${id}`);
      return exp.values[0];
    }
  }
  throw new Error(`no node name found for pod ${id}`);
}

/** IsPodUpdated: the pod carries the current hash, or the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash.length > 0 && labels[DAEMONSET_HASH_LABEL] === hash;
  return hashMatches || templateMatches;
}

/** isPodUpdated with the set's template generation (an unparsable annotation counts as none). */
export const isDaemonPodUpdated = (ds: DaemonSet, pod: Pod, hash: string): boolean => isPodUpdated(pod, hash, safeTemplateGeneration(ds));

/** intstr.GetScaledValueFromIntOrPercent: an int as is, "N%" of total rounded up or down. */
export function scaledValue(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** UnavailableCount: maxUnavailable scaled to the desired number (0 unless RollingUpdate). */
export function unavailableCount(ds: DaemonSet, numberToSchedule: number): number {
  const s = ds.spec?.updateStrategy;
  if (s?.type !== 'RollingUpdate' || !s.rollingUpdate) return 0;
  const r = s.rollingUpdate.maxUnavailable;
  return r === undefined ? 0 : scaledValue(r, numberToSchedule, true);
}

/** SurgeCount: maxSurge scaled to the desired number (0 unless RollingUpdate with maxSurge). */
export function surgeCount(ds: DaemonSet, numberToSchedule: number): number {
  const s = ds.spec?.updateStrategy;
  if (s?.type !== 'RollingUpdate' || s.rollingUpdate?.maxSurge === undefined) return 0;
  return scaledValue(s.rollingUpdate.maxSurge, numberToSchedule, true);
}

/** AllowsSurge: a valid, non-zero maxSurge. */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return surgeCount(ds, 1) !== 0;
  } catch {
    return false;
  }
}

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest first, then by name. */
export function comparePodsByCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const sa = !!a.spec?.nodeName;
  const sb = !!b.spec?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
