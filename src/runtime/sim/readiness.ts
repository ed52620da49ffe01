// When a simulated readiness probe sees a change: probes run at initialDelaySeconds after the start
// and then every periodSeconds; readiness flips after `consecutive` results in a row.

import type { ProbeTiming } from '../runtime.js';

/** The time readiness flips for a check result that holds from `changedAt` on; immediate without a probe. */
export function readinessFlipAt(probe: ProbeTiming | undefined, startedAt: number, changedAt: number, consecutive: number): number {
  if (!probe) return changedAt;
  const period = (probe.periodSeconds || 10) * 1000;
  const first = startedAt + (probe.initialDelaySeconds ?? 0) * 1000;
  const ticks = changedAt <= first ? 0 : Math.ceil((changedAt - first) / period);
  return first + (ticks + Math.max(1, consecutive) - 1) * period;
}
