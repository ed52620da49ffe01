// Retrying an update against a fresh read when the write lost an optimistic-concurrency race
// (client-go util/retry/util.go OnError / RetryOnConflict over wait.ExponentialBackoff).

import type { Clock } from '../machinery/clock.js';
import { isStatusError } from '../machinery/errors.js';

/** wait.Backoff: `steps` attempts; the pause starts at `durationMs`, is multiplied by `factor` and jittered up by up to `jitter` of itself. */
export interface Backoff {
  steps: number;
  durationMs: number;
  factor: number;
  jitter: number;
}

/** retry.DefaultRetry: for a conflict with an unrelated writer. */
export const DEFAULT_RETRY: Backoff = { steps: 5, durationMs: 10, factor: 1.0, jitter: 0.1 };

/** retry.DefaultBackoff: for a conflict on an object under active management by controllers. */
export const DEFAULT_BACKOFF: Backoff = { steps: 4, durationMs: 10, factor: 5.0, jitter: 0.1 };

/**
 * Call `fn` until it succeeds, throws an error `retriable` rejects, or `backoff.steps` attempts have run
 * (then the last error is thrown); sleeps on `clock` between attempts.
 */
export async function retryOnError<T>(
  clock: Clock,
  backoff: Backoff,
  retriable: (e: unknown) => boolean,
  fn: () => Promise<T>,
  random: () => number = Math.random,
): Promise<T> {
  let duration = backoff.durationMs;
  for (let step = 1; ; step++) {
    try {
      return await fn();
    } catch (e) {
      if (!retriable(e) || step >= backoff.steps) throw e;
    }
    const pause = backoff.jitter > 0 ? duration + random() * backoff.jitter * duration : duration;
    duration *= backoff.factor;
    await clock.sleep(pause);
  }
}

/** retry.RetryOnConflict: retries only StatusErrors with reason Conflict. */
export function retryOnConflict<T>(clock: Clock, fn: () => Promise<T>, backoff: Backoff = DEFAULT_RETRY): Promise<T> {
  return retryOnError(clock, backoff, (e) => isStatusError(e, 'Conflict'), fn);
}
