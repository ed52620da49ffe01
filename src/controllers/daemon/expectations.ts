// What a sync is still waiting to see (UIDTrackingControllerExpectations in controller_utils.go), and the
// per-node back-off for replacing failed daemon pods (flowcontrol.Backoff, 1s doubling to 15 minutes).

import type { Clock } from '../../machinery/clock.js';

/** ExpectationsTimeout: expectations older than this are considered satisfied, so a lost event cannot wedge a set. */
const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  adds: number;
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private items = new Map<string, Expectation>();

  constructor(private clock: Clock) {}

  /** Expect `adds` pod creations and the deletion of the pods keyed `deleteKeys` (`ns/name`). */
  expect(key: string, adds: number, deleteKeys: string[]): void {
    this.items.set(key, { adds, deletes: new Set(deleteKeys), at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.adds--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.items.get(key)?.deletes.delete(podKey);
  }

  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true;
    return (e.adds <= 0 && e.deletes.size === 0) || this.clock.now() - e.at > EXPECTATIONS_TIMEOUT_MS;
  }

  delete(key: string): void {
    this.items.delete(key);
  }
}

const INITIAL_MS = 1000;
const MAX_MS = 15 * 60_000;

export class Backoff {
  private entries = new Map<string, { backoffMs: number; lastUpdate: number }>();

  constructor(private clock: Clock) {}

  /** The current delay for `id` (0 when none). */
  get(id: string): number {
    return this.entries.get(id)?.backoffMs ?? 0;
  }

  /** Start or double the delay; an entry idle for twice the maximum starts over. */
  next(id: string): void {
    const now = this.clock.now();
    const e = this.entries.get(id);
    if (!e || now - e.lastUpdate > 2 * MAX_MS) this.entries.set(id, { backoffMs: INITIAL_MS, lastUpdate: now });
    else this.entries.set(id, { backoffMs: Math.min(e.backoffMs * 2, MAX_MS), lastUpdate: now });
  }

  /** IsInBackOffSinceUpdate: less than the delay has passed since the last next(). */
  inBackoffSinceUpdate(id: string): boolean {
    const e = this.entries.get(id);
    return !!e && this.clock.now() - e.lastUpdate < e.backoffMs;
  }

  /** GC: drop entries idle for twice the maximum. */
  gc(): void {
    const now = this.clock.now();
    for (const [id, e] of this.entries) if (now - e.lastUpdate > 2 * MAX_MS) this.entries.delete(id);
  }
}
