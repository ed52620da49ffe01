// The service proxy: kube-proxy's nftables mode on this machine. It watches Services and EndpointSlices
// and loads the ruleset of proxyrules.ts into its own table with one `nft -f -` per sync. Syncs are
// coalesced (at most one every minSyncIntervalMs, one in flight); a failed sync is logged, the table is
// rebuilt from scratch on the next attempt, and attempts back off exponentially.

import { networkInterfaces } from 'node:os';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { REFS } from '../client/client.js';
import type { Informer } from '../client/informer.js';
import type { InformerFactory } from '../client/informerfactory.js';
import type { Clock, Timer } from '../machinery/clock.js';
import { logger } from '../machinery/log.js';
import { command } from './command.js';
import { BRIDGE_PREFIX, CLUSTER_POD_CIDR, PROXY_TABLE } from './podnetwork.js';
import { renderRuleset, servicePorts, type LoadedObjects } from './proxyrules.js';

const log = logger('proxier');

const MAX_BACKOFF_MS = 30_000;

export interface ProxierOptions {
  informers: Pick<InformerFactory, 'get'>;
  clock: Clock;
  /** nftables table (family ip); `k8ts-proxy` by default. */
  table?: string;
  podCIDRs?: string[];
  /** nft pattern of the pod bridges; `k8ts-br*` by default. */
  podInterfaces?: string;
  minSyncIntervalMs?: number;
  /** Loads an nft script; `nft -f -` by default. */
  run?: (script: string) => Promise<unknown>;
  /** This machine's IPv4 addresses; read from the interfaces by default. */
  localAddresses?: () => Set<string>;
}

function interfaceAddresses(): Set<string> {
  const out = new Set<string>();
  for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) if (a.family === 'IPv4') out.add(a.address);
  return out;
}

export class Proxier {
  readonly table: string;
  private services: Informer<Service>;
  private slices: Informer<EndpointSlice>;
  private run: (script: string) => Promise<unknown>;
  private minInterval: number;
  private podInterfaces: string;
  private previous: LoadedObjects | undefined;
  private timer: Timer | undefined;
  private inFlight: Promise<void> | undefined;
  private dirty = false;
  private started = false;
  private stopped = false;
  private lastSync = -Infinity;
  private failures = 0;

  constructor(private opts: ProxierOptions) {
    this.table = opts.table ?? PROXY_TABLE;
    this.services = opts.informers.get(REFS.services);
    this.slices = opts.informers.get(REFS.endpointslices);
    this.run = opts.run ?? ((script) => command(['nft', '-f', '-'], script));
    this.minInterval = opts.minSyncIntervalMs ?? 100;
    this.podInterfaces = opts.podInterfaces ?? `${BRIDGE_PREFIX}*`;
    const changed = (): void => {
      if (this.started) this.schedule();
    };
    this.services.addHandler({ add: changed, update: changed, delete: changed });
    this.slices.addHandler({ add: changed, update: changed, delete: changed });
  }

  /** Syncs once both informers have listed (an earlier sync would drop every service's rules). */
  start(): void {
    void Promise.all([this.services.waitForSync(), this.slices.waitForSync()]).then(() => {
      if (this.stopped) return;
      this.started = true;
      this.schedule();
    });
  }

  /** Stops syncing and deletes the table. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
    await this.run(`add table ip ${this.table}\ndelete table ip ${this.table}\n`).catch((e: Error) => log.warning('Deleting the service proxy table failed', { table: this.table, err: e.message }));
  }

  /** Syncs now (after the one in flight); rejects when loading the rules fails. */
  async syncNow(): Promise<void> {
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    this.timer?.cancel();
    this.timer = undefined;
    return this.attempt();
  }

  private schedule(delay?: number): void {
    this.dirty = true;
    if (this.timer || this.inFlight || this.stopped) return;
    const wait = delay ?? Math.max(0, this.lastSync + this.minInterval - this.opts.clock.now());
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      this.attempt().catch(() => undefined);
    }, wait);
  }

  private async attempt(): Promise<void> {
    this.dirty = false;
    const p = this.sync();
    this.inFlight = p;
    let failed: unknown;
    try {
      await p;
      this.failures = 0;
    } catch (e) {
      failed = e;
      this.failures++;
      // The kernel state is unknown now: the next attempt recreates the table.
      this.previous = undefined;
      this.dirty = true;
    } finally {
      this.inFlight = undefined;
      this.lastSync = this.opts.clock.now();
    }
    if (failed) {
      const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (this.failures - 1));
      log.error('Failed to sync the service proxy rules, will retry', { table: this.table, retryInMs: backoff, err: (failed as Error).message });
      if (!this.stopped) this.schedule(backoff);
      throw failed;
    }
    if (this.dirty && !this.stopped) this.schedule();
  }

  private async sync(): Promise<void> {
    const start = this.opts.clock.now();
    const ports = servicePorts(this.services.list(), this.slices.list(), {
      localAddresses: (this.opts.localAddresses ?? interfaceAddresses)(),
      podCIDRs: this.opts.podCIDRs ?? [CLUSTER_POD_CIDR],
      podInterfaces: this.podInterfaces,
    });
    const { text, loaded } = renderRuleset(this.table, ports, { podInterfaces: this.podInterfaces, previous: this.previous });
    if (this.stopped) return;
    await this.run(text);
    this.previous = loaded;
    log.v(4).info('Synced service proxy rules', { table: this.table, servicePorts: ports.length, ms: this.opts.clock.now() - start });
  }
}
