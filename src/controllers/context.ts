// What every controller is built from: the client, shared informers, the clock and an event recorder.

import type { Client } from '../client/client.js';
import { EventRecorder } from '../client/events.js';
import type { InformerFactory } from '../client/informerfactory.js';
import type { Clock } from '../machinery/clock.js';

export interface ControllerContext {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  recorder(component: string): EventRecorder;
}

export interface Controller {
  /** Register handlers before informers start; start workers. */
  start(): void;
  stop(): void;
}

export function makeContext(client: Client, informers: InformerFactory, clock: Clock): ControllerContext {
  const recorders = new Map<string, EventRecorder>();
  return {
    client,
    informers,
    clock,
    recorder(component) {
      let r = recorders.get(component);
      if (!r) {
        r = new EventRecorder(client, clock, { component });
        recorders.set(component, r);
      }
      return r;
    },
  };
}
