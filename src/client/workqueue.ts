// A rate-limited work queue (client-go util/workqueue): a key is never processed by two workers at
// once, adding a key that is waiting is a no-op, and failures back off per key and overall.

import type { Clock, Timer } from '../machinery/clock.js';
import { isStatusError } from '../machinery/errors.js';
import { logger, type Logger } from '../machinery/log.js';
import { WaitingHeap } from './heap.js';
import { defaultControllerRateLimiter, type RateLimiter } from './ratelimiter.js';

export interface WorkQueueOptions {
  /** Component name for the sync-error log (workqueue.TypedRateLimitingQueueConfig Name). */
  name?: string;
  rateLimiter?: RateLimiter;
}

export class WorkQueue {
  private queue: string[] = [];
  private queued = new Set<string>();
  private processing = new Set<string>();
  private dirtyWhileProcessing = new Set<string>();
  private waiters: Array<(k: string | undefined) => void> = [];
  private shuttingDown = false;
  // Delayed adds wait in a heap behind one timer, set for the earliest entry.
  private waiting = new WaitingHeap();
  private coolingDown = new Set<ReturnType<typeof setTimeout>>();
  private timer: Timer | undefined;
  private timerAt = Infinity;
  private rateLimiter: RateLimiter;
  readonly name: string;

  constructor(
    private clock: Clock,
    opts: WorkQueueOptions = {},
  ) {
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter(clock);
    this.name = opts.name ?? 'workqueue';
  }

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

  /** Add `key` once `ms` have passed; a key already waiting keeps the earlier of its two times. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    this.waiting.push(key, this.clock.now() + ms);
    this.armTimer();
  }

  addRateLimited(key: string): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  private armTimer(): void {
    const next = this.waiting.peek()?.readyAt ?? Infinity;
    if (next >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = next;
    this.timer = this.clock.setTimeout(() => this.fire(), next - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (let e = this.waiting.peek(); e && e.readyAt <= now; e = this.waiting.peek()) this.add(this.waiting.pop()!.key);
    this.armTimer();
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
   * syncing back to back and starving everything else in the process. The cool-down is CPU time, so it
   * runs on real time even under a virtual clock (a test that does not advance its clock still progresses).
   */
  done(key: string, cooldownMs = 0): void {
    this.processing.delete(key);
    if (!this.dirtyWhileProcessing.delete(key)) return;
    if (cooldownMs <= 0) return this.add(key);
    const t = setTimeout(() => {
      this.coolingDown.delete(t);
      this.add(key);
    }, cooldownMs);
    t.unref?.();
    this.coolingDown.add(t);
  }

  get length(): number {
    return this.queue.length;
  }

  shutdown(): void {
    this.shuttingDown = true;
    this.timer?.cancel();
    this.timer = undefined;
    for (const t of this.coolingDown) clearTimeout(t);
    this.coolingDown.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}

/** Syncs slower than this are followed by an equal cool-down before the same key runs again. */
const SLOW_SYNC_MS = 20;

/** Run `workers` loops that take keys from `q` and call `sync`; errors are logged and requeue with back-off. */
export function runWorkers(q: WorkQueue, workers: number, sync: (key: string) => Promise<void>, log: Logger = logger(q.name)): void {
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
          // utilruntime.HandleError(fmt.Errorf("error syncing %q, requeuing: %w", key, err)), except that a
          // lost compare-and-swap is the normal course of optimistic concurrency (a drain makes hundreds).
          if (isStatusError(e, 'Conflict')) log.v(2).info('Conflict syncing, requeuing', { key, err: e });
          else log.error('Error syncing, requeuing', { key, err: e });
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
