// Event recording (client-go tools/record): one core/v1 Event per object and reason, with repeats
// counted on the same Event (count, lastTimestamp) the way the real recorder aggregates them.

import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { rfc3339, type Clock } from '../machinery/clock.js';
import { logger } from '../machinery/log.js';
import type { Client } from './client.js';
import type { KubeObject } from './objects.js';

const log = logger('event');

export interface EventSource {
  component: string;
  host?: string;
}

export type EventType = 'Normal' | 'Warning';

interface Recorded {
  name: string;
  namespace: string;
  count: number;
}

const MAX_REMEMBERED = 4096;

let lastNanos = 0n;

/**
 * Upstream names an event `<object>.<UnixNano hex>`; the clock here has milliseconds (and a virtual one
 * may stand still), so nanoseconds count up within the process to keep the names unique.
 */
function eventNanos(nowMs: number): bigint {
  const nanos = BigInt(nowMs) * 1_000_000n;
  lastNanos = nanos > lastNanos ? nanos : lastNanos + 1n;
  return lastNanos;
}

export class EventRecorder {
  private seen = new Map<string, Recorded>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private client: Client,
    private clock: Clock,
    private source: EventSource,
  ) {}

  /** Record an event about `obj`; never throws and never blocks the caller. */
  event(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    this.chain = this.chain
      .then(() => this.write(obj, type, reason, message, fieldPath))
      .catch((e) => log.error('Server rejected event (will not retry!)', { object: `${obj?.metadata?.namespace ?? ''}/${obj?.metadata?.name ?? ''}`, reason, err: e }));
  }

  /** Resolves when every event recorded so far has been written (for tests). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): Promise<void> {
    const meta: ObjectMeta = obj.metadata ?? {};
    const namespace = meta.namespace || 'default';
    const key = [meta.uid, type, reason, message, fieldPath ?? ''].join('\u0000');
    const now = this.clock.now();
    const prior = this.seen.get(key);
    if (prior) {
      prior.count++;
      try {
        await this.client.events.patch(prior.namespace, prior.name, 'merge', { count: prior.count, lastTimestamp: rfc3339(now) });
        return;
      } catch {
        this.seen.delete(key);
      }
    }
    const name = `${meta.name}.${eventNanos(now).toString(16)}`;
    const involvedObject: Record<string, unknown> = { kind: obj.kind, namespace: meta.namespace, name: meta.name, uid: meta.uid, apiVersion: obj.apiVersion, resourceVersion: meta.resourceVersion };
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    await this.client.events.create(namespace, {
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      source: this.source,
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      count: 1,
      type,
      eventTime: null,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    });
    if (this.seen.size >= MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, namespace, count: 1 });
  }
}
