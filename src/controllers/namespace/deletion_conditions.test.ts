import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONDITION_TYPES, updateConditions, type DeletionOutcome } from './deletion_conditions.js';

const clean: DeletionOutcome = { deleteErrors: [], totals: { remainingByResource: new Map(), remainingByFinalizer: new Map() } };
const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';

describe('updateConditions', () => {
  it('adds all five maintained conditions in their ok form to a namespace with none', () => {
    const { conditions, changed } = updateConditions(undefined, clean, T0);
    assert.ok(changed);
    assert.deepEqual(conditions.map((c) => c.type), [...CONDITION_TYPES]);
    assert.ok(conditions.every((c) => c.status === 'False' && c.lastTransitionTime === T0));
    assert.deepEqual(conditions.map((c) => c.reason), ['ResourcesDiscovered', 'ParsedGroupVersions', 'ContentDeleted', 'ContentRemoved', 'ContentHasNoFinalizers']);
    assert.equal(conditions[4].message, 'All content-preserving finalizers finished');
  });

  it('reports nothing changed when a pass finds the same state', () => {
    const first = updateConditions(undefined, clean, T0).conditions;
    const again = updateConditions(first, clean, T1);
    assert.equal(again.changed, false);
    assert.deepEqual(again.conditions, first);
  });

  it('keeps the transition time while the status stays and moves it when the status flips', () => {
    const remaining = (n: number): DeletionOutcome => ({
      deleteErrors: [],
      totals: { remainingByResource: new Map([['pods.', n]]), remainingByFinalizer: new Map() },
    });
    const first = updateConditions(undefined, remaining(2), T0).conditions;
    const fewer = updateConditions(first, remaining(1), T1);
    const content = fewer.conditions.find((c) => c.type === 'NamespaceContentRemaining');
    assert.ok(fewer.changed);
    assert.equal(content?.message, 'Some resources are remaining: pods. has 1 resource instances');
    assert.equal(content?.lastTransitionTime, T0);
    const cleared = updateConditions(fewer.conditions, clean, T1).conditions.find((c) => c.type === 'NamespaceContentRemaining');
    assert.deepEqual(cleared, { type: 'NamespaceContentRemaining', status: 'False', lastTransitionTime: T1, reason: 'ContentRemoved', message: 'All content successfully removed' });
  });

  it('aggregates content deletion errors sorted, and leaves other condition types alone', () => {
    const other = { type: 'Example', status: 'True', reason: 'R', message: 'm' };
    const failed: DeletionOutcome = { ...clean, deleteErrors: ['z failed', 'a failed'] };
    const { conditions } = updateConditions([other], failed, T0);
    assert.deepEqual(conditions[0], other);
    const c = conditions.find((x) => x.type === 'NamespaceDeletionContentFailure');
    assert.equal(c?.status, 'True');
    assert.equal(c?.reason, 'ContentDeletionFailed');
    assert.equal(c?.message, 'Failed to delete all resource types, 2 remaining: a failed, z failed');
  });
});
