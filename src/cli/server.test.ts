import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { SERVER_FLAG_DEFAULTS, toServerOptions, type ServerFlags } from './server.js';

function flags(overrides: Partial<ServerFlags>): ServerFlags {
  return { ...SERVER_FLAG_DEFAULTS, ...overrides };
}

test('the defaults become a server on 127.0.0.1:6443 with state in ./.k8ts', () => {
  assert.deepEqual(toServerOptions(SERVER_FLAG_DEFAULTS), {
    dataDir: path.resolve('.k8ts'),
    host: '127.0.0.1',
    port: 6443,
    nodes: 1,
    runtimes: ['sim'],
    simStartDelayMs: 250,
    simStopDelayMs: 250,
    verbosity: 0,
    leaderElection: { leaseDurationMs: 15000, renewDeadlineMs: 10000, retryPeriodMs: 2000 },
    loadBalancerPool: { first: 2130706532, last: 2130706631 },
    eventTtlMs: 3_600_000,
    nodeMonitorGracePeriodMs: 40_000,
    defaultTolerations: { notReadySeconds: 300, unreachableSeconds: 300 },
  });
});

test('valid values are converted', () => {
  const opts = toServerOptions(
    flags({ dataDir: '/var/lib/k8ts', host: '::1', port: '0', nodes: '3', runtime: 'sim,process', simStartDelay: '0', simStopDelay: '1m30s', etcd: 'http://127.0.0.1:2379, https://10.0.0.2:2379', token: 's3cret', leaderElectLeaseDuration: '3s', leaderElectRenewDeadline: '2s', leaderElectRetryPeriod: '500ms', etcdCompactionInterval: '1m', loadBalancerPool: 'none', eventTtl: '10m', nodeMonitorGracePeriod: '5s', defaultNotReadyTolerationSeconds: '0', defaultUnreachableTolerationSeconds: '10' }),
  );
  assert.deepEqual(opts, {
    dataDir: '/var/lib/k8ts',
    host: '::1',
    port: 0,
    nodes: 3,
    runtimes: ['sim', 'process'],
    simStartDelayMs: 0,
    simStopDelayMs: 90000,
    verbosity: 0,
    etcd: ['http://127.0.0.1:2379', 'https://10.0.0.2:2379'],
    token: 's3cret',
    compactionIntervalMs: 60000,
    leaderElection: { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 },
    loadBalancerPool: 'off',
    eventTtlMs: 600_000,
    nodeMonitorGracePeriodMs: 5_000,
    defaultTolerations: { notReadySeconds: 0, unreachableSeconds: 10 },
  });
  assert.equal(toServerOptions(flags({ port: '65535', host: 'localhost' })).port, 65535);
  assert.equal(toServerOptions(flags({ host: '0.0.0.0' })).host, '0.0.0.0');
});

const INVALID: [Partial<ServerFlags>, string][] = [
  [{ port: 'abc' }, 'invalid value for --port: "abc" is not an integer from 0 to 65535'],
  [{ port: '65536' }, 'invalid value for --port: "65536" is not an integer from 0 to 65535'],
  [{ port: '-1' }, 'invalid value for --port: "-1" is not an integer from 0 to 65535'],
  [{ port: '80.5' }, 'invalid value for --port: "80.5" is not an integer from 0 to 65535'],
  [{ port: '' }, 'invalid value for --port: "" is not an integer from 0 to 65535'],
  [{ nodes: '0' }, 'invalid value for --nodes: "0" is not an integer of at least 1'],
  [{ nodes: '2x' }, 'invalid value for --nodes: "2x" is not an integer of at least 1'],
  [{ clusterDnsUpstream: '8.8.8.8:99999' }, 'invalid value for --cluster-dns-upstream: "8.8.8.8:99999" is not an IP address with an optional port, like 10.0.0.2 or 10.0.0.2:53'],
  [{ runtime: 'docker' }, 'invalid value for --runtime: "docker" is not a runtime; use sim or process'],
  [{ runtime: 'sim,' }, 'invalid value for --runtime: "" is not a runtime; use sim or process'],
  [{ simStartDelay: '5' }, 'invalid value for --sim-start-delay: missing unit in duration "5" (examples: 0, 200ms, 2s, 1m)'],
  [{ simStopDelay: 'soon' }, 'invalid value for --sim-stop-delay: invalid duration "soon" (examples: 0, 200ms, 2s, 1m)'],
  [{ simStopDelay: '-1s' }, 'invalid value for --sim-stop-delay: "-1s" is negative'],
  [{ host: 'not a host' }, 'invalid value for --host: "not a host" is not an IP address or host name'],
  [{ host: '' }, 'invalid value for --host: "" is not an IP address or host name'],
  [{ dataDir: ' ' }, 'invalid value for --data-dir: must not be empty'],
  [{ etcd: '127.0.0.1:2379' }, 'invalid value for --etcd: "127.0.0.1:2379" is not an etcd client URL like http://127.0.0.1:2379'],
  [{ etcd: 'http://127.0.0.1:2379,' }, 'invalid value for --etcd: "" is not an etcd client URL like http://127.0.0.1:2379'],
  [{ etcd: 'http://127.0.0.1' }, 'invalid value for --etcd: "http://127.0.0.1" is not an etcd client URL like http://127.0.0.1:2379'],
  [{ token: 'x' }, '--token needs --etcd: it encrypts the cluster data kept in etcd'],
  [{ etcd: 'http://127.0.0.1:2379', token: '' }, 'invalid value for --token: must not be empty'],
  [{ leaderElectLeaseDuration: '10s' }, 'invalid leader election timing: --leader-elect-lease-duration must be greater than --leader-elect-renew-deadline'],
  [{ leaderElectRetryPeriod: '9s' }, 'invalid leader election timing: --leader-elect-renew-deadline must be greater than 1.2 x --leader-elect-retry-period'],
  [{ leaderElectRetryPeriod: '0' }, 'invalid value for --leader-elect-retry-period: must be greater than zero'],
  [{ loadBalancerPool: '10.0.0.5-10.0.0.1' }, 'invalid value for --load-balancer-pool: "10.0.0.5-10.0.0.1" ends before it starts, or none'],
  [{ eventTtl: '0' }, 'invalid value for --event-ttl: must be greater than zero'],
  [{ loadBalancerPool: 'off' }, 'invalid value for --load-balancer-pool: "off" is not an IPv4 range like 127.0.0.100-127.0.0.199, or none'],
];

for (const [overrides, message] of INVALID) {
  test(`rejects ${JSON.stringify(overrides)}`, () => {
    assert.throws(() => toServerOptions(flags(overrides)), { name: 'UsageError', message });
  });
}
