// kube-apiserver's --event-ttl (default 1 h): events expire, so a long-running server does not keep
// every event it ever recorded. Upstream leaves this to etcd leases; here one sweep a minute deletes
// the events last seen more than the TTL ago.

import type { Event } from 'kubernetes-types/core/v1.js';
import { lookupResource } from '../api/resources.js';
import type { Clock, Timer } from '../machinery/clock.js';
import { isStatusError } from '../machinery/errors.js';
import { logger } from '../machinery/log.js';
import type { KObject } from '../storage/store.js';
import type { Registry } from './rest.js';

const EVENTS = lookupResource('', 'v1', 'events')!;
const log = logger('event-ttl');

export const DEFAULT_EVENT_TTL_MS = 60 * 60_000;

/** When the event was last seen: its series, lastTimestamp, eventTime, or when it was created. */
export function lastSeen(e: Event): number {
  const when = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
  return when ? Date.parse(when) : Number.NaN;
}

export class EventTTL {
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    private reg: Registry,
    private clock: Clock,
    private ttlMs = DEFAULT_EVENT_TTL_MS,
    private intervalMs = Math.min(60_000, ttlMs),
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** Delete every event older than the TTL; resolves with how many went. */
  async sweep(): Promise<number> {
    const cutoff = this.clock.now() - this.ttlMs;
    let deleted = 0;
    for (const e of this.reg.list(EVENTS, undefined).items as Array<Event & KObject>) {
      if (!(lastSeen(e) < cutoff)) continue;
      try {
        await this.reg.delete(EVENTS, e.metadata!.namespace!, e.metadata!.name!, { preconditions: { uid: e.metadata!.uid } });
        deleted++;
      } catch (err) {
        // Gone already, or replaced by a newer event of the same name (another server's sweep, a client).
        if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) log.error('Deleting an expired event failed', { event: `${e.metadata?.namespace}/${e.metadata?.name}`, err });
      }
    }
    return deleted;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      void this.sweep()
        .catch((err) => log.error('Event expiry sweep failed', { err }))
        .finally(() => this.schedule());
    }, this.intervalMs);
  }
}
