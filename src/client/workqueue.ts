// A rate-limited work queue (client-go util/workqueue): a key is never processed by two workers at
// once, adding a key that is waiting is a no-op, and failures back off exponentially per key.

import type { Clock } from '../machinery/clock.js';

export class WorkQueue {
  private queue: string[] = [];
  private queued = new Set<string>();
  private processing = new Set<string>();
  private dirtyWhileProcessing = new Set<string>();
  private failures = new Map<string, number>();
  private waiters: Array<(k: string | undefined) => void> = [];
  private shuttingDown = false;

  constructor(
    private clock: Clock,
    private baseDelayMs = 5,
    private maxDelayMs = 1000_000,
  ) {}

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    const w = this.waiters.shift();
    if (w) {
      this.queued.delete(key);
      this.processing.add(key);
      w(key);
    } else this.queue.push(key);
  }

  addAfter(key: string, ms: number): void {
    if (ms <= 0) return this.add(key);
    this.clock.setTimeout(() => this.add(key), ms);
  }

  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Wait for the next key; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const k = this.queue.shift();
    if (k !== undefined) {
      this.queued.delete(k);
      this.processing.add(k);
      return Promise.resolve(k);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Finish processing `key`. A key added again meanwhile is queued after `cooldownMs`: passing the time
   * the sync took keeps a controller whose syncs are slow (a StatefulSet of thousands of pods) from
   * syncing back to back and starving everything else in the process.
   */
  done(key: string, cooldownMs = 0): void {
    this.processing.delete(key);
    if (this.dirtyWhileProcessing.delete(key)) this.addAfter(key, cooldownMs);
  }


  get length(): number {
    return this.queue.length;
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}

/** Syncs slower than this are followed by an equal cool-down before the same key runs again. */
const SLOW_SYNC_MS = 20;

/** Run `workers` loops that take keys from `q` and call `sync`; errors requeue with back-off. */
export function runWorkers(q: WorkQueue, workers: number, sync: (key: string) => Promise<void>, onError?: (key: string, e: unknown) => void): void {
  for (let i = 0; i < workers; i++) {
    void (async () => {
      for (;;) {
        const key = await q.get();
        if (key === undefined) return;
        // CPU cost, not time of day: performance.now() even under a virtual clock.
        const started = performance.now();
        try {
          await sync(key);
          q.forget(key);
        } catch (e) {
          onError?.(key, e);
          q.addRateLimited(key);
        }
        // Let the commit of this sync's writes reach the informers before the key can be synced again
        // (otherwise the next sync reads a cache without them and repeats its work), and let other
        // controllers run between the items of a long cascade.
        await new Promise((r) => setImmediate(r));
        const took = performance.now() - started;
        q.done(key, took > SLOW_SYNC_MS ? took : 0);
      }
    })();
  }
}
