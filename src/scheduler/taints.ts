// Taints and tolerations (core/v1 Toleration.ToleratesTaint, v1helper.FindMatchingUntoleratedTaint),
// and the taints the node lifecycle controller derives from a node's Ready condition.

import type { Node, Toleration } from 'kubernetes-types/core/v1.js';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerate(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint passing `relevant` that no toleration tolerates. */
export function findUntoleratedTaint(taints: Taint[], tolerations: Toleration[] | undefined, relevant: (t: Taint) => boolean): Taint | undefined {
  for (const taint of taints) if (relevant(taint) && !tolerationsTolerate(tolerations, taint)) return taint;
  return undefined;
}

export function readyStatus(node: Node): string | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

/**
 * spec.taints plus the NoSchedule taint TaintNodesByCondition puts on a node that is not Ready
 * (not-ready when False or not reported yet, unreachable when Unknown), so the scheduler treats an
 * unready node exactly as a real cluster does even before a lifecycle controller has tainted it.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints: Taint[] = node.spec?.taints ?? [];
  const ready = readyStatus(node);
  if (ready === 'True') return taints;
  const key = ready === 'Unknown' ? TAINT_UNREACHABLE : TAINT_NOT_READY;
  if (taints.some((t) => t.key === key && t.effect === 'NoSchedule')) return taints;
  return [...taints, { key, effect: 'NoSchedule' }];
}
