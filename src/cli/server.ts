// `k8ts server`: flags, their validation, and the process lifecycle around startServer.
import net from 'node:net';
import path from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../machinery/durationparse.js';
import { DEFAULT_POOL, parsePool } from '../controllers/service/loadbalancer_controller.js';
import { parseUpstream, type Upstream } from '../dns/upstream.js';
import { startServer, type NodeRuntime, type ServerOptions } from '../server/server.js';
import { EXIT_FAILURE, UsageError, printError } from './errors.js';

/** The flags exactly as typed; every value is still a string. */
export interface ServerFlags {
  dataDir: string;
  host: string;
  port: string;
  nodes: string;
  runtime: string;
  clusterDnsUpstream?: string;
  simStartDelay: string;
  simStopDelay: string;
  v: string;
  etcd?: string;
  token?: string;
  leaderElectLeaseDuration: string;
  leaderElectRenewDeadline: string;
  leaderElectRetryPeriod: string;
  etcdCompactionInterval: string;
  loadBalancerPool: string;
  eventTtl: string;
  nodeMonitorGracePeriod: string;
  defaultNotReadyTolerationSeconds: string;
  defaultUnreachableTolerationSeconds: string;
}

export const SERVER_FLAG_DEFAULTS: ServerFlags = {
  dataDir: './.k8ts',
  host: '127.0.0.1',
  port: '6443',
  nodes: '1',
  runtime: 'sim',
  simStartDelay: '250ms',
  simStopDelay: '250ms',
  v: '0',
  leaderElectLeaseDuration: '15s',
  leaderElectRenewDeadline: '10s',
  leaderElectRetryPeriod: '2s',
  etcdCompactionInterval: '5m',
  loadBalancerPool: DEFAULT_POOL,
  eventTtl: '1h',
  nodeMonitorGracePeriod: '40s',
  defaultNotReadyTolerationSeconds: '300',
  defaultUnreachableTolerationSeconds: '300',
};

const HELP_AFTER = `
The data directory holds the cluster state, the generated CA and serving certificate (pki/),
the admin token and the kubeconfig. Only one server may use a data directory at a time.
With --etcd the state lives in etcd instead, and so do the CA, the service-account key and the
admin token: start more servers on the same etcd, each with its own data directory, and they
serve one cluster. The controllers, the scheduler and the nodes run on one server at a time,
elected on the kube-system Leases kube-controller-manager and kube-scheduler.
Durations are Go durations: 0, 200ms, 2s, 1m, 1m30s.

Examples:
  k8ts server                                  # https://127.0.0.1:6443, state in ./.k8ts
  k8ts server --port 0 --data-dir /tmp/k8ts    # any free port, state in /tmp/k8ts
  k8ts server --nodes 3 --sim-start-delay 0    # three nodes, pods start at once
  k8ts server --etcd http://127.0.0.1:2379 --data-dir /tmp/a --port 6443
  k8ts server --etcd http://127.0.0.1:2379 --data-dir /tmp/b --port 6444   # a second server, same cluster
  export KUBECONFIG=$PWD/.k8ts/kubeconfig      # then use kubectl as usual
`;

export function registerServerCommand(program: Command): void {
  const d = SERVER_FLAG_DEFAULTS;
  program
    .command('server')
    .description('run the API server, controllers, scheduler and simulated nodes in this process')
    .option('--data-dir <dir>', 'directory for cluster state, TLS material, kubeconfig and lock; created if missing', d.dataDir)
    .option('--host <address>', 'address to listen on (IP address or host name)', d.host)
    .option('--port <port>', 'HTTPS port to listen on, 0-65535; 0 picks a free port', d.port)
    .option('--nodes <n>', 'number of nodes to run in this process, at least 1', d.nodes)
    .option('--runtime <runtimes>', 'container runtime of the nodes: sim (simulated) or process (real processes in Linux namespaces, needs root); a comma-separated list gives the nodes theirs in order, the last one repeating (--nodes 4 --runtime sim,process)', d.runtime)
    .option('--cluster-dns-upstream <address>', 'with process nodes: forward DNS names outside cluster.local to this resolver (IP[:port]); by default they are refused')
    .option('--sim-start-delay <duration>', 'time a simulated container takes to start running', d.simStartDelay)
    .option('--sim-stop-delay <duration>', 'time a simulated container takes to exit after being stopped', d.simStopDelay)
    .option('-v, --v <level>', 'log verbosity, as klog: 0 errors and warnings, 1 info, 3 every request, higher more detail', d.v)
    .option('--etcd <urls>', 'keep the cluster in etcd at these comma-separated client URLs (http://127.0.0.1:2379) instead of <data-dir>/state.db')
    .option('--token <secret>', 'with --etcd: encrypt the cluster data (CA, keys, admin token) kept in etcd; every server of the cluster needs the same token')
    .option('--leader-elect-lease-duration <duration>', 'how long other servers wait after the leader last renewed before taking over', d.leaderElectLeaseDuration)
    .option('--leader-elect-renew-deadline <duration>', 'how long the leader keeps trying to renew before it stops leading', d.leaderElectRenewDeadline)
    .option('--leader-elect-retry-period <duration>', 'how often servers try to acquire or renew leadership', d.leaderElectRetryPeriod)
    .option('--load-balancer-pool <range>', 'addresses the built-in load balancer gives LoadBalancer Services (first-last), or none', d.loadBalancerPool)
    .option('--etcd-compaction-interval <duration>', 'with --etcd: how often revisions older than one interval are compacted; 0 never', d.etcdCompactionInterval)
    .option('--event-ttl <duration>', 'how long events are kept after they were last seen', d.eventTtl)
    .option('--node-monitor-grace-period <duration>', 'how long a node may miss heartbeats before its Ready condition becomes Unknown and it is tainted unreachable', d.nodeMonitorGracePeriod)
    .option('--default-not-ready-toleration-seconds <n>', 'tolerationSeconds of the not-ready:NoExecute toleration added to every pod', d.defaultNotReadyTolerationSeconds)
    .option('--default-unreachable-toleration-seconds <n>', 'tolerationSeconds of the unreachable:NoExecute toleration added to every pod', d.defaultUnreachableTolerationSeconds)
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: ServerFlags) => {
      await runServer(toServerOptions(flags));
    });
}

/** Validates the flags; throws a UsageError naming the flag and what is wrong with its value. */
export function toServerOptions(flags: ServerFlags): ServerOptions {
  if (flags.dataDir.trim() === '') throw new UsageError('invalid value for --data-dir: must not be empty');
  if (!isHost(flags.host)) {
    throw new UsageError(`invalid value for --host: ${JSON.stringify(flags.host)} is not an IP address or host name`);
  }
  return {
    dataDir: path.resolve(flags.dataDir),
    host: flags.host,
    port: integerFlag('--port', flags.port, 0, 65535),
    nodes: integerFlag('--nodes', flags.nodes, 1, Number.MAX_SAFE_INTEGER),
    runtimes: runtimeFlag(flags.runtime),
    ...(flags.clusterDnsUpstream === undefined ? {} : { dnsUpstream: upstreamFlag(flags.clusterDnsUpstream) }),
    simStartDelayMs: durationFlag('--sim-start-delay', flags.simStartDelay),
    simStopDelayMs: durationFlag('--sim-stop-delay', flags.simStopDelay),
    verbosity: integerFlag('-v', flags.v, 0, 10),
    ...etcdOptions(flags),
    leaderElection: leaderElectionFlags(flags),
    loadBalancerPool: poolFlag(flags.loadBalancerPool),
    eventTtlMs: positiveDurationFlag('--event-ttl', flags.eventTtl),
    nodeMonitorGracePeriodMs: positiveDurationFlag('--node-monitor-grace-period', flags.nodeMonitorGracePeriod),
    defaultTolerations: {
      notReadySeconds: integerFlag('--default-not-ready-toleration-seconds', flags.defaultNotReadyTolerationSeconds, 0, Number.MAX_SAFE_INTEGER),
      unreachableSeconds: integerFlag('--default-unreachable-toleration-seconds', flags.defaultUnreachableTolerationSeconds, 0, Number.MAX_SAFE_INTEGER),
    },
  };
}

function upstreamFlag(value: string): Upstream {
  try {
    return parseUpstream(value);
  } catch (e) {
    throw new UsageError(`invalid value for --cluster-dns-upstream: ${(e as Error).message}`);
  }
}

function runtimeFlag(value: string): NodeRuntime[] {
  const list = value.split(',').map((r) => r.trim());
  for (const r of list) if (r !== 'sim' && r !== 'process') throw new UsageError(`invalid value for --runtime: ${JSON.stringify(r)} is not a runtime; use sim or process`);
  return list as NodeRuntime[];
}

function poolFlag(value: string): ServerOptions['loadBalancerPool'] {
  if (value === 'none') return 'off';
  try {
    return parsePool(value);
  } catch (e) {
    throw new UsageError(`invalid value for --load-balancer-pool: ${(e as Error).message}, or none`);
  }
}

function etcdOptions(flags: ServerFlags): Pick<ServerOptions, 'etcd' | 'token' | 'compactionIntervalMs'> {
  if (flags.etcd === undefined) {
    if (flags.token !== undefined) throw new UsageError('--token needs --etcd: it encrypts the cluster data kept in etcd');
    return {};
  }
  const urls = flags.etcd.split(',').map((u) => u.trim());
  for (const u of urls) {
    let ok = false;
    try {
      const url = new URL(u);
      ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.port !== '' && url.pathname === '/';
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`invalid value for --etcd: ${JSON.stringify(u)} is not an etcd client URL like http://127.0.0.1:2379`);
  }
  if (flags.token === '') throw new UsageError('invalid value for --token: must not be empty');
  return { etcd: urls, token: flags.token, compactionIntervalMs: durationFlag('--etcd-compaction-interval', flags.etcdCompactionInterval) };
}

/** The checks client-go's NewLeaderElector makes, as flag errors. */
function leaderElectionFlags(flags: ServerFlags): ServerOptions['leaderElection'] {
  const leaseDurationMs = durationFlag('--leader-elect-lease-duration', flags.leaderElectLeaseDuration);
  const renewDeadlineMs = durationFlag('--leader-elect-renew-deadline', flags.leaderElectRenewDeadline);
  const retryPeriodMs = durationFlag('--leader-elect-retry-period', flags.leaderElectRetryPeriod);
  if (retryPeriodMs <= 0) throw new UsageError('invalid value for --leader-elect-retry-period: must be greater than zero');
  if (leaseDurationMs <= renewDeadlineMs) throw new UsageError('invalid leader election timing: --leader-elect-lease-duration must be greater than --leader-elect-renew-deadline');
  if (renewDeadlineMs <= 1.2 * retryPeriodMs) throw new UsageError('invalid leader election timing: --leader-elect-renew-deadline must be greater than 1.2 x --leader-elect-retry-period');
  return { leaseDurationMs, renewDeadlineMs, retryPeriodMs };
}

function integerFlag(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (/^\d+$/.test(value) && n >= min && n <= max) return n;
  const range = max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
  throw new UsageError(`invalid value for ${flag}: ${JSON.stringify(value)} is not ${range}`);
}

function durationFlag(flag: string, value: string): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (err) {
    throw new UsageError(`invalid value for ${flag}: ${(err as Error).message} (examples: 0, 200ms, 2s, 1m)`);
  }
  if (ms < 0) throw new UsageError(`invalid value for ${flag}: ${JSON.stringify(value)} is negative`);
  return ms;
}

function positiveDurationFlag(flag: string, value: string): number {
  const ms = durationFlag(flag, value);
  if (ms === 0) throw new UsageError(`invalid value for ${flag}: must be greater than zero`);
  return ms;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function isHost(host: string): boolean {
  return net.isIP(host) !== 0 || HOST_NAME.test(host);
}

async function runServer(opts: ServerOptions): Promise<void> {
  const server = await startServer(opts);
  process.stdout.write(`k8ts ready: ${server.url}  kubeconfig: ${server.kubeconfigPath}\n`);
  let stopping = false;
  const onSignal = (): void => {
    // A second signal while stopping means the user does not want to wait.
    if (stopping) process.exit(EXIT_FAILURE);
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        printError(err);
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
