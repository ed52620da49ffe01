// Pure parts of the node lifecycle controller (pkg/controller/nodelifecycle): the conditions a silent
// node gets, the taints its conditions call for, and the disruption state of a zone.

import type { Node, NodeCondition, PodCondition, PodStatus, Taint } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../machinery/clock.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from '../../scheduler/taints.js';

/** Conditions the controller turns Unknown; NetworkUnavailable is managed on the control plane. */
const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** nodeConditionToTaintKeyStatusMap: the NoSchedule taint each condition status calls for. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));

export const readyCondition = (node: Node): NodeCondition | undefined => node.status?.conditions?.find((c) => c.type === 'Ready');

/** tryUpdateNodeHealth past the grace period: every monitored condition becomes Unknown (never-posted ones are added). */
export function unknownConditions(node: Node, now: number): NodeCondition[] {
  const ts = rfc3339(now);
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  for (const type of MONITORED_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: ts });
    } else if (c.status !== 'Unknown') {
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: ts });
    }
  }
  return conditions;
}

const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;

/** doNoScheduleTaintingPass: NoSchedule taints from conditions and spec.unschedulable, as taints to add and to remove. */
export function noScheduleTaintChanges(node: Node): { add: Taint[]; remove: Taint[] } {
  const want: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) want.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const have = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' && (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
  return { add: want.filter((t) => !have.some((h) => sameTaint(h, t))), remove: have.filter((h) => !want.some((t) => sameTaint(h, t))) };
}

/** SwapNodeControllerTaint on a taint list: added taints carry timeAdded; undefined when nothing changes. */
export function swapTaints(taints: Taint[] | undefined, add: Taint[], remove: Taint[], now: number): Taint[] | undefined {
  const current = taints ?? [];
  let next = current.filter((t) => !remove.some((r) => sameTaint(r, t)));
  const missing = add.filter((a) => !next.some((t) => sameTaint(t, a)));
  next = [...next, ...missing.map((t) => ({ ...t, timeAdded: rfc3339(now) }))];
  return next.length === current.length && missing.length === 0 ? undefined : next;
}

export const hasTaint = (node: Node, key: string, effect: string): boolean => (node.spec?.taints ?? []).some((t) => t.key === key && t.effect === effect);

export type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

/** ComputeZoneState over the Ready conditions of a zone's nodes (undefined: never reported). */
export function computeZoneState(ready: Array<NodeCondition | undefined>, unhealthyZoneThreshold: number): ZoneState {
  const readyNodes = ready.filter((c) => c?.status === 'True').length;
  const notReady = ready.length - readyNodes;
  if (readyNodes === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / ready.length >= unhealthyZoneThreshold) return 'PartialDisruption';
  return 'Normal';
}

/** nodetopology.GetZoneKey: region and zone labels, "" when the node has neither. */
export function zoneKey(node: Node): string {
  const l = node.metadata?.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\u0000:${zone}` : '';
}

/** podutil.UpdatePodCondition: replaces (or adds) the condition; lastTransitionTime moves only with the status. False when nothing changed. */
export function updatePodCondition(status: PodStatus, condition: PodCondition, now: number): boolean {
  const conditions = (status.conditions ??= []);
  const i = conditions.findIndex((c) => c.type === condition.type);
  const next: PodCondition = { ...condition, lastTransitionTime: rfc3339(now) };
  if (i < 0) {
    conditions.push(next);
    return true;
  }
  const old = conditions[i];
  if (next.status === old.status) next.lastTransitionTime = old.lastTransitionTime;
  conditions[i] = next;
  return !(next.status === old.status && next.reason === old.reason && next.message === old.message && next.lastProbeTime === old.lastProbeTime && next.lastTransitionTime === old.lastTransitionTime);
}
