// One shared informer per resource for every component in a process, started together.

import type { Clock } from '../machinery/clock.js';
import type { Client, TypedRef } from './client.js';
import { Informer } from './informer.js';

export class InformerFactory {
  private informers = new Map<string, Informer>();
  private started = false;

  constructor(
    private client: Client,
    private clock: Clock,
  ) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a plain ResourceRef gets the untyped informer
  get<T = any>(ref: TypedRef<T>): Informer<T> {
    const k = `${ref.group}/${ref.version}/${ref.plural}`;
    let inf = this.informers.get(k) as Informer<T> | undefined;
    if (!inf) {
      inf = new Informer<T>(this.client.resource(ref), this.clock);
      this.informers.set(k, inf);
      if (this.started) inf.start();
    }
    return inf;
  }

  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  stop(): void {
    for (const inf of this.informers.values()) inf.stop();
  }
}
