// The kubelet's container restart back-off (client-go util/flowcontrol.Backoff as the kubelet uses it):
// 10 s doubling to 5 min, no jitter, forgotten once nothing happened for twice the maximum.

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

interface Entry {
  backoff: number;
  lastUpdate: number;
}

export class Backoff {
  private entries = new Map<string, Entry>();

  constructor(
    private initialMs = BACKOFF_INITIAL_MS,
    private maxMs = BACKOFF_MAX_MS,
  ) {}

  /** The current back-off for `id` (0 when there is none). */
  get(id: string): number {
    return this.entries.get(id)?.backoff ?? 0;
  }

  /** Whether less than the current back-off has passed since `eventTime` (the last exit). */
  isInBackOffSince(id: string, eventTime: number, now: number): boolean {
    const e = this.entries.get(id);
    if (!e || this.hasExpired(eventTime, e.lastUpdate)) return false;
    return now - eventTime < e.backoff;
  }

  /** Record a restart: start at the initial back-off, or double it up to the maximum. */
  next(id: string, eventTime: number, now: number): void {
    const e = this.entries.get(id);
    if (!e || this.hasExpired(eventTime, e.lastUpdate)) this.entries.set(id, { backoff: this.initialMs, lastUpdate: now });
    else {
      e.backoff = Math.min(e.backoff * 2, this.maxMs);
      e.lastUpdate = now;
    }
  }

  private hasExpired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > this.maxMs * 2;
  }
}

/** Go's time.Duration String() for the durations the kubelet prints: `10s`, `1m20s`, `5m0s`, `1h0m0s`. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const total = ms / 1000;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = +(total % 60).toFixed(3);
  let out = '';
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  return `${out}${s}s`;
}
