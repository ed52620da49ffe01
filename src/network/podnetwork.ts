// The pod network of process nodes, as the CNI bridge + host-local plugins build it: one bridge per
// node holding the gateway (first address) of the node's pod CIDR, one veth pair per pod with the pod
// end named eth0 in the pod's network namespace. Pods get routes to the cluster's pod range and the
// service range only, never a default route; the host forwards only between k8ts bridges, and the
// nftables table below drops anything that would leave for another interface.

import { writeFile } from 'node:fs/promises';
import { logger } from '../machinery/log.js';
import { command, hasProgram, ipBatch } from './command.js';

const log = logger('pod-network');

/** Every device k8ts creates starts with one of these, so leftovers are found by name. */
export const BRIDGE_PREFIX = 'k8ts-br';
export const VETH_PREFIX = 'k8v';
export const CLUSTER_POD_CIDR = '10.244.0.0/16';
export const SERVICE_CIDR = '10.96.0.0/12';
/** nftables table (family ip) holding the forward filter. */
export const NFT_TABLE = 'k8ts';
/** The service proxy's table (src/network/proxier.ts). */
export const PROXY_TABLE = 'k8ts-proxy';

export interface BridgeConfig {
  /** `k8ts-br0` */
  name: string;
  /** `10.244.0.0/24` */
  podCIDR: string;
}

export function bridgeName(index: number): string {
  return `${BRIDGE_PREFIX}${index}`;
}

/** The gateway (first address) of a CIDR and its prefix length. */
export function gateway(cidr: string): { ip: string; prefix: number } {
  const [base, bits] = cidr.split('/');
  const parts = base.split('.').map(Number);
  parts[3] += 1;
  return { ip: parts.join('.'), prefix: Number(bits) };
}

/** Host-side veth name for a sandbox: stable, unique, at most 15 characters. */
export function vethName(sandboxId: string): string {
  return `${VETH_PREFIX}${sandboxId.slice(0, 12)}`;
}

async function setSysctl(path: string, value: string): Promise<void> {
  await writeFile(`/proc/sys/${path}`, value);
}

export class PodNetwork {
  private gw: { ip: string; prefix: number };

  constructor(private bridge: BridgeConfig) {
    this.gw = gateway(bridge.podCIDR);
  }

  /** Creates the bridge with its gateway address (idempotent). The first node's bridge also carries the service route. */
  async ensureBridge(serviceRoute: boolean): Promise<void> {
    const { name } = this.bridge;
    await ipBatch([`link add ${name} type bridge`], undefined, true).catch(() => undefined);
    await ipBatch([`addr replace ${this.gw.ip}/${this.gw.prefix} dev ${name}`, `link set ${name} up`]);
    await setSysctl(`net/ipv4/conf/${name}/forwarding`, '1');
    // Replies of pods must not be dropped by reverse-path filtering on the bridge.
    await setSysctl(`net/ipv4/conf/${name}/rp_filter`, '0');
    // The host's connections to NodePorts on 127.0.0.1 and to the 127.0.0.x load-balancer addresses are
    // DNATed to pods behind this bridge (and masqueraded); loopback sources may be routed out of it.
    await setSysctl(`net/ipv4/conf/${name}/route_localnet`, '1');
    if (serviceRoute) await ipBatch([`route replace ${SERVICE_CIDR} dev ${name} src ${this.gw.ip}`]);
  }

  /** Connects the pod's network namespace: veth, address, routes to pods and services via the gateway. */
  async attach(sandboxId: string, netns: string, ip: string): Promise<void> {
    const veth = vethName(sandboxId);
    await ipBatch([
      `link add ${veth} type veth peer name eth0 netns ${netns}`,
      `link set ${veth} master ${this.bridge.name}`,
      `link set ${veth} type bridge_slave hairpin on`,
      `link set ${veth} up`,
    ]);
    await ipBatch(
      [
        `addr add ${ip}/${this.gw.prefix} dev eth0`,
        'link set eth0 up',
        `route add ${CLUSTER_POD_CIDR} via ${this.gw.ip}`,
        `route add ${SERVICE_CIDR} via ${this.gw.ip}`,
      ],
      netns,
    );
  }

  /** Removes the pod's veth (also gone by itself once the namespace is). */
  async detach(sandboxId: string): Promise<void> {
    await ipBatch([`link del ${vethName(sandboxId)}`]).catch(() => undefined);
  }
}

/**
 * Machine-wide pieces: the cluster DNS address (on the first bridge, so it goes away with it), and the
 * nftables filter that keeps pod traffic on the machine. Returns a warning when nft is missing (the
 * filter is then absent).
 */
export async function setUpHostNetwork(dnsIP: string, bridge: string): Promise<string | undefined> {
  await ipBatch([`addr replace ${dnsIP}/32 dev ${bridge}`]);
  if (!(await hasProgram('nft'))) return 'nft is not installed: pod traffic is kept on the machine by routes only (apt-get install nftables)';
  await command(['nft', '-f', '-'], forwardFilter());
  return undefined;
}

/** The forward filter, created fresh (the table is deleted first so reloading is idempotent). */
export function forwardFilter(): string {
  return [
    `table ip ${NFT_TABLE}`,
    `delete table ip ${NFT_TABLE}`,
    `table ip ${NFT_TABLE} {`,
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    `    iifname "${BRIDGE_PREFIX}*" oifname != "${BRIDGE_PREFIX}*" drop`,
    `    oifname "${BRIDGE_PREFIX}*" iifname != "${BRIDGE_PREFIX}*" drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Deletes every k8ts device and the nftables table: at shutdown, and at start after a crash. */
export async function tearDownHostNetwork(): Promise<void> {
  const links = await command(['ip', '-o', 'link', 'show']).catch(() => '');
  const names = [...links.matchAll(/^\d+: ([^:@\s]+)/gm)].map((m) => m[1]);
  const ours = names.filter((n) => n.startsWith(BRIDGE_PREFIX) || n.startsWith(VETH_PREFIX));
  // A veth may go by itself meanwhile (with its namespace), so failures here are only logged.
  if (ours.length) await ipBatch(ours.map((n) => `link del ${n}`), undefined, true).catch((e: Error) => log.v(2).info('Some network devices were already gone', { err: e.message }));
  if (await hasProgram('nft')) {
    const tables = await command(['nft', 'list', 'tables']).catch(() => '');
    for (const table of [NFT_TABLE, PROXY_TABLE]) {
      if (!tables.split('\n').some((l) => l.trim() === `table ip ${table}`)) continue;
      await command(['nft', 'delete', 'table', 'ip', table]).catch((e: Error) => log.warning('Removing an nftables table failed', { table, err: e.message }));
    }
  }
}
