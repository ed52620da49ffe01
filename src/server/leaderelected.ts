// A component group that runs on one server at a time: it campaigns for its Lease in kube-system
// (client/leaderelection.ts, with client-go's timings), starts afresh when it wins, stops when it loses
// (and campaigns again), and hands the lease over when the server stops.

import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ResourceClient } from '../client/client.js';
import { LeaderElector } from '../client/leaderelection.js';
import type { Clock } from '../machinery/clock.js';
import { logger } from '../machinery/log.js';

const log = logger('leaderelection');

export interface Running {
  stop(): void;
}

/** Builds and starts a fresh instance of the group. */
export type Launch = () => Promise<Running>;

export interface LeaderElectionTiming {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_LEADER_ELECTION: LeaderElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface Elected {
  stop(): Promise<void>;
}

/**
 * This server's candidate identity, `<hostname>_<id>` as kube-controller-manager's, with the id kept in
 * the data directory: a restarted server is the holder it was, so it takes its lease back at once
 * instead of waiting for it to expire.
 */
export function candidateIdentity(dataDir: string): string {
  const file = path.join(dataDir, 'identity');
  let id: string;
  try {
    id = readFileSync(file, 'utf8').trim();
  } catch {
    id = '';
  }
  if (!/^[0-9a-f]{16}$/.test(id)) {
    id = randomBytes(8).toString('hex');
    writeFileSync(file, `${id}\n`, { mode: 0o644 });
  }
  return `${hostname()}_${id}`;
}

export function runElected(leases: ResourceClient<Lease>, clock: Clock, name: string, identity: string, timing: LeaderElectionTiming, launch: Launch): Elected {
  let running: Promise<Running | undefined> | undefined;
  const elector = new LeaderElector(leases, clock, {
    namespace: 'kube-system',
    name,
    identity,
    ...timing,
    releaseOnCancel: true,
    callbacks: {
      onStartedLeading() {
        running = launch().catch((e: Error) => {
          log.error(`cannot start ${name}`, { err: e });
          return undefined;
        });
      },
      onStoppedLeading() {
        const stopping = running;
        running = undefined;
        void stopping?.then((r) => r?.stop());
      },
      onNewLeader(holder) {
        if (holder !== identity) log.info(`${name}: new leader elected`, { holder });
      },
    },
  });
  elector.run();
  return {
    // The group stops before the lease is released, so two never run at once.
    async stop() {
      const stopping = running;
      running = undefined;
      (await stopping)?.stop();
      await elector.stop();
    },
  };
}
