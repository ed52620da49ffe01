// The invariant checker (src/testing/invariants.ts) attached to a running cluster over HTTPS watches.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { feed, httpsWatch, WATCH_PATHS } from '../../src/testing/invariantfeed.js';
import { InvariantChecker } from '../../src/testing/invariants.js';
import type { Cluster } from './harness.js';

export interface WatchedCluster {
  checker: InvariantChecker;
  /** Close the watches and wait for the last events to be checked. */
  stop(): Promise<void>;
}

export function watchInvariants(c: Cluster): WatchedCluster {
  const kc = parse(readFileSync(c.kubeconfig, 'utf8'));
  const target = { server: kc.clusters[0].cluster.server, ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), token: kc.users[0].user.token };
  const checker = new InvariantChecker();
  const watches = new AbortController();
  const checking = feed(checker, WATCH_PATHS.map(([p, k]) => httpsWatch(target, p, k, watches.signal)));
  return {
    checker,
    async stop() {
      watches.abort();
      await checking.done;
    },
  };
}
