// ControllerExpectations and UIDTrackingControllerExpectations (pkg/controller/controller_utils.go): what a
// controller has asked for and not yet seen in its informer, so a sync does not create or delete twice.

import type { Clock } from '../../machinery/clock.js';

/** ExpectationsTimeout: expectations older than this are ignored, so a lost watch event cannot stall a set. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  timestamp: number;
  /** The keys (namespace/name) of the pods whose deletions are expected. */
  deleteKeys: Set<string>;
}

export class ControllerExpectations {
  private byKey = new Map<string, Expectation>();

  constructor(private clock: Clock) {}

  /**
   * Whether the controller may act: nothing is expected, everything expected was seen, or the
   * expectations are so old that they are no longer trusted.
   */
  satisfiedExpectations(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(key: string, adds: number): void {
    this.byKey.set(key, { add: adds, del: 0, timestamp: this.clock.now(), deleteKeys: new Set() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.byKey.set(key, { add: 0, del: podKeys.length, timestamp: this.clock.now(), deleteKeys: new Set(podKeys) });
  }

  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.add--;
  }

  /** Only a deletion that was expected counts: a pod deleted by someone else does not. */
  deletionObserved(key: string, podKey: string): void {
    const e = this.byKey.get(key);
    if (e?.deleteKeys.delete(podKey)) e.del--;
  }

  deleteExpectations(key: string): void {
    this.byKey.delete(key);
  }
}
