// The status conditions the namespace deleter maintains while a namespace terminates
// (pkg/controller/namespace/deletion/status_condition_utils.go): each names a way deletion can be
// stuck, and reads False with an "ok" reason and message when it is not.

import type { NamespaceCondition } from 'kubernetes-types/core/v1.js';

/** What one deletion pass left behind, summed over resources. */
export interface ContentTotals {
  /** `<resource>.<group>` (core resources read `pods.`) to the number of objects still there. */
  remainingByResource: Map<string, number>;
  /** Finalizer to the number of remaining objects that carry it. */
  remainingByFinalizer: Map<string, number>;
}

/** The outcome of one pass of the deleter. */
export interface DeletionOutcome {
  totals: ContentTotals;
  /** Messages of the errors met deleting content (one per resource that failed). */
  deleteErrors: string[];
}

/** Maintained types, in the order upstream adds them to a namespace that has none. */
export const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

type ConditionType = (typeof CONDITION_TYPES)[number];

const OK: Record<ConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** `<key><infix><n><suffix>` for every non-zero count, sorted for stable updates. */
function describeCounts(counts: Map<string, number>, infix: string, suffix: string): string {
  const parts: string[] = [];
  for (const [k, n] of counts) if (n > 0) parts.push(`${k}${infix}${n}${suffix}`);
  return parts.sort().join(', ');
}

/** The failing conditions an outcome calls for (ProcessContentTotals, makeDeleteContentCondition). */
function failingConditions(outcome: DeletionOutcome, now: string): NamespaceCondition[] {
  const out: NamespaceCondition[] = [];
  const { remainingByResource, remainingByFinalizer } = outcome.totals;
  if (remainingByResource.size > 0) {
    out.push({
      type: 'NamespaceContentRemaining',
      status: 'True',
      lastTransitionTime: now,
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${describeCounts(remainingByResource, ' has ', ' resource instances')}`,
    });
  }
  if (remainingByFinalizer.size > 0) {
    out.push({
      type: 'NamespaceFinalizersRemaining',
      status: 'True',
      lastTransitionTime: now,
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${describeCounts(remainingByFinalizer, ' in ', ' resource instances')}`,
    });
  }
  if (outcome.deleteErrors.length > 0) {
    const msgs = [...outcome.deleteErrors].sort();
    out.push({
      type: 'NamespaceDeletionContentFailure',
      status: 'True',
      lastTransitionTime: now,
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`,
    });
  }
  return out;
}

/**
 * The namespace's conditions after a pass (updateConditions): every maintained type is set, to its
 * failing form or its "ok" one; a condition keeps its lastTransitionTime unless its status flips, and
 * conditions of other types are left as they are. `changed` says whether a status write is needed.
 */
export function updateConditions(
  current: readonly NamespaceCondition[] | undefined,
  outcome: DeletionOutcome,
  now: string,
): { conditions: NamespaceCondition[]; changed: boolean } {
  const failing = failingConditions(outcome, now);
  const conditions = (current ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of CONDITION_TYPES) {
    const next = failing.find((c) => c.type === type) ?? { type, status: 'False', lastTransitionTime: now, ...OK[type] };
    const old = conditions.find((c) => c.type === type);
    if (!old) {
      conditions.push(next);
      changed = true;
    } else if (old.status !== next.status || old.reason !== next.reason || old.message !== next.message) {
      if (old.status !== next.status) old.lastTransitionTime = now;
      old.status = next.status;
      old.reason = next.reason;
      old.message = next.message;
      changed = true;
    }
  }
  return { conditions, changed };
}
