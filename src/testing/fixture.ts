// An in-memory control plane for unit tests: real registry, store, in-process client and informers.

import type { Client } from '../client/client.js';
import { InformerFactory } from '../client/informerfactory.js';
import { makeContext, type ControllerContext } from '../controllers/context.js';
import { realClock, type Clock } from '../machinery/clock.js';
import type { Registry } from '../registry/rest.js';
import { buildApiChain } from '../server/apichain.js';
import { bootstrap } from '../server/bootstrap.js';
import { ADMIN } from '../server/identities.js';
import { MemoryBackend } from '../storage/local.js';
import { Store } from '../storage/store.js';

export interface TestCluster {
  store: Store;
  registry: Registry;
  client: Client;
  informers: InformerFactory;
  ctx: ControllerContext;
  clock: Clock;
  /** Start informers (call after controllers registered their handlers) and wait for their first list. */
  start(): Promise<void>;
  stop(): void;
}

export async function testCluster(clock: Clock = realClock): Promise<TestCluster> {
  const store = await Store.open(new MemoryBackend());
  const chain = buildApiChain(store, clock, { authenticators: [] });
  const registry = chain.registry;
  await bootstrap(registry, { ip: '192.168.49.1', port: 6443 }, clock.now());
  const client = chain.clientFor(ADMIN);
  const informers = new InformerFactory(client, clock);
  const ctx = makeContext(client, informers, clock);
  return {
    store,
    registry,
    client,
    informers,
    ctx,
    clock,
    async start() {
      informers.start();
      await informers.waitForSync();
    },
    stop() {
      informers.stop();
    },
  };
}

/**
 * Poll `check` (real time) until it returns a truthy value; fail with `what` after `timeoutMs`.
 * `pause` runs between attempts (a short sleep; a test on a virtual clock may also advance it there).
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000, pause: () => Promise<void> = () => new Promise((r) => setTimeout(r, 5))): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await pause();
  }
}
