// The composition root: data directory, store, API server, controllers and nodes, wired from options.

import { isIP, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureAdminToken, ensureCertificates } from '../apiserver/certs.js';
import { legacyClaims } from '../apiserver/authentication/serviceaccount/claims.js';
import { signJwt } from '../apiserver/authentication/serviceaccount/jwt.js';
import { loadOrCreateSigningKey } from '../apiserver/authentication/serviceaccount/signingkey.js';
import { StaticTokenAuthenticator } from '../apiserver/authentication/token.js';
import type { HandlerContext } from '../apiserver/handlers.js';
import { createApiServer } from '../apiserver/server.js';
import { DEFAULT_POOL, parsePool, type AddressPool } from '../controllers/service/loadbalancer_controller.js';
import { REFS } from '../client/client.js';
import { realClock } from '../machinery/clock.js';
import { setVerbosity } from '../machinery/log.js';
import type { Backend } from '../storage/backend.js';
import { SqliteBackend } from '../storage/sqlite.js';
import { Store } from '../storage/store.js';
import { buildApiChain } from './apichain.js';
import type { TolerationDefaults } from '../apiserver/admission/index.js';
import { EventTTL } from '../registry/eventttl.js';
import { bootstrap } from './bootstrap.js';
import { controllerManager, scheduler } from './controllers.js';
import { clusterDNS, nodeName, podCIDR, serviceProxy, startNodes } from './nodes.js';
import { ProcessHost } from './processhost.js';
import type { Upstream } from '../dns/upstream.js';
import type { Runtime } from '../runtime/runtime.js';
import { podStreams } from './podstreams.js';
import type { Kubelet } from '../kubelet/kubelet.js';
import { lockDataDir } from './datadir.js';
import { ADMIN, CONTROLLER_MANAGER, SCHEDULER, SERVICE_ACCOUNT_ISSUER } from './identities.js';
import { writeKubeconfig } from './kubeconfig.js';
import { candidateIdentity, DEFAULT_LEADER_ELECTION, runElected, type LeaderElectionTiming } from './leaderelected.js';

export interface ServerOptions {
  dataDir: string;
  host: string;
  port: number;
  nodes: number;
  /** Runtime of each node in order; the last one repeats (default: all simulated). */
  runtimes?: NodeRuntime[];
  /** Where the cluster DNS forwards names outside cluster.local (none: they are refused). */
  dnsUpstream?: Upstream;
  simStartDelayMs: number;
  simStopDelayMs: number;
  /** Log verbosity (-v). */
  verbosity?: number;
  /** etcd endpoints; the state lives there instead of <dataDir>/state.db, shared with other servers. */
  etcd?: string[];
  /** Encrypts the cluster data kept in etcd; every server of the cluster needs the same one. */
  token?: string;
  leaderElection?: LeaderElectionTiming;
  /** How often old etcd revisions are compacted, as kube-apiserver's --etcd-compaction-interval (5m). */
  compactionIntervalMs?: number;
  /** Addresses the built-in load balancer gives LoadBalancer Services (DEFAULT_POOL); 'off': none. */
  loadBalancerPool?: AddressPool | 'off';
  /** How long events are kept after they were last seen, as kube-apiserver's --event-ttl (1h). */
  eventTtlMs?: number;
  /** How long a node may miss heartbeats before it is Unknown (kube-controller-manager's --node-monitor-grace-period, 40s). */
  nodeMonitorGracePeriodMs?: number;
  /** Tolerations DefaultTolerationSeconds adds to pods for not-ready and unreachable nodes (300 s each). */
  defaultTolerations?: TolerationDefaults;
}

export type NodeRuntime = 'sim' | 'process';

export function nodeRuntime(runtimes: NodeRuntime[] | undefined, i: number): NodeRuntime {
  if (!runtimes?.length) return 'sim';
  return runtimes[Math.min(i, runtimes.length - 1)];
}

export interface RunningServer {
  url: string;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  setVerbosity(opts.verbosity ?? 0);
  const lock = lockDataDir(opts.dataDir);
  let store: Store | undefined;
  let processHost: ProcessHost | undefined;
  try {
    mkdirSync(opts.dataDir, { recursive: true });
    const createLocal = async () => {
      await ensureCertificates(opts.dataDir);
      ensureAdminToken(opts.dataDir);
      loadOrCreateSigningKey(opts.dataDir);
    };
    // The etcd client is loaded only when used: it takes a quarter of a second.
    const etcd = opts.etcd ? await import('../storage/etcd.js') : undefined;
    if (opts.etcd) await (await import('./clusterdata.js')).joinCluster(opts.etcd, opts.dataDir, opts.token, createLocal);
    const { certPem, keyPem, caPem } = await ensureCertificates(opts.dataDir);
    const token = ensureAdminToken(opts.dataDir);
    // A failed commit (e.g. disk full) is rolled back and refused with a 500; the store logs the outage.
    const etcdBackend = etcd && opts.etcd ? new etcd.EtcdBackend(opts.etcd) : undefined;
    const backend: Backend = etcdBackend ?? new SqliteBackend(path.join(opts.dataDir, 'state.db'));
    store = await Store.open(backend);
    const compactionIntervalMs = opts.compactionIntervalMs ?? 5 * 60_000;
    const compactor = etcd && etcdBackend && compactionIntervalMs > 0 ? new etcd.Compactor(etcdBackend, { intervalMs: compactionIntervalMs }) : undefined;
    compactor?.start();
    const issuer = { issuer: SERVICE_ACCOUNT_ISSUER, apiAudiences: [SERVICE_ACCOUNT_ISSUER], key: loadOrCreateSigningKey(opts.dataDir), clock: realClock };
    const chain = buildApiChain(store, realClock, { authenticators: [new StaticTokenAuthenticator([{ token, user: ADMIN }])], issuer, defaultTolerations: opts.defaultTolerations });
    const { registry } = chain;
    const handlers: HandlerContext = { registry, storage: chain.storage };
    const server = createApiServer({ tls: { cert: certPem, key: keyPem }, authenticators: chain.authenticators, authorizer: chain.authorizer, handlers, paths: chain.paths });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    await bootstrap(registry, { ip: advertiseAddress(opts.host), port }, realClock.now());
    const eventTtl = new EventTTL(registry, realClock, opts.eventTtlMs);
    eventTtl.start();
    // The nodes of this process run with the controller manager, on the server that leads it.
    const kubelets: Kubelet[] = [];
    const processRuntimes = new Map<number, Runtime>();
    const processNodes = [...Array(opts.nodes).keys()].filter((i) => nodeRuntime(opts.runtimes, i) === 'process');
    if (processNodes.length) {
      processHost = await ProcessHost.prepare(opts.dataDir);
      for (const i of processNodes) processRuntimes.set(i, await processHost.runtime(i, nodeName(i), podCIDR(i)));
    }
    const host = processHost;
    const kcm = controllerManager(chain.clientFor, realClock, {
      dataDir: opts.dataDir,
      caPem,
      loadBalancerPool: opts.loadBalancerPool === 'off' ? undefined : (opts.loadBalancerPool ?? parsePool(DEFAULT_POOL)),
      nodeLifecycle: opts.nodeMonitorGracePeriodMs === undefined ? undefined : { nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs },
      signLegacyToken: (namespace, serviceAccount, secretName) => signJwt(legacyClaims({ namespace, serviceAccount, secretName }), issuer.key),
      extra: (contextFor) => {
        kubelets.splice(0, kubelets.length, ...startNodes(contextFor, {
          count: opts.nodes,
          startDelayMs: opts.simStartDelayMs,
          stopDelayMs: opts.simStopDelayMs,
          leaseDurationSeconds: opts.nodeMonitorGracePeriodMs === undefined ? undefined : Math.max(1, Math.ceil(opts.nodeMonitorGracePeriodMs / 1000)),
          processRuntimes,
          nodeDir: host && ((name) => host.nodeDir(name)),
        }));
        return [...kubelets, ...(host ? [clusterDNS(contextFor, opts.dnsUpstream), serviceProxy(contextFor)] : [])];
      },
    });
    const identity = candidateIdentity(opts.dataDir);
    const timing = opts.leaderElection ?? DEFAULT_LEADER_ELECTION;
    const elected = [
      runElected(chain.clientFor(CONTROLLER_MANAGER).resource(REFS.leases), realClock, 'kube-controller-manager', identity, timing, kcm),
      runElected(chain.clientFor(SCHEDULER).resource(REFS.leases), realClock, 'kube-scheduler', identity, timing, scheduler(chain.clientFor, realClock)),
    ];
    handlers.podStreams = podStreams(registry, kubelets);
    const hostname = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    const url = `https://${hostname}:${port}`;
    const kubeconfigPath = path.join(opts.dataDir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, { server: url, caPem, token });
    const openStore = store;
    return {
      url,
      kubeconfigPath,
      async stop() {
        await Promise.all(elected.map((e) => e.stop()));
        await host?.stop();
        eventTtl.stop();
        compactor?.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await openStore.close();
        lock.release();
      },
    };
  } catch (e) {
    await processHost?.stop();
    await store?.close();
    lock.release();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new Error(`port ${opts.port} on ${opts.host} is already in use`);
    if (err.code === 'EACCES') throw new Error(`not allowed to listen on ${opts.host}:${opts.port}`);
    throw e;
  }
}

/**
 * The address the `kubernetes` Endpoints give, as kube-apiserver's --advertise-address defaults: the
 * listen address if it is a routable IPv4 one, else this machine's first non-loopback IPv4 address
 * (Endpoints may not hold loopback addresses); none if it has none.
 */
function advertiseAddress(host: string): string | undefined {
  if (isIP(host) === 4 && host !== '0.0.0.0' && !host.startsWith('127.')) return host;
  for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}
