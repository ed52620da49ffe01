// This cache server's address as ARCUS works it out: the local IP is the source address of a UDP
// "connection" towards the first ZooKeeper server (ARCUS_CACHE_PUBLIC_IP overrides it), and the host
// name is the name of that IP in /etc/hosts (getnameinfo), else the kernel host name.

import dgram from 'node:dgram';
import dns from 'node:dns/promises';
import os from 'node:os';
import type { CacheIdentity } from './servermapping.js';
import { parseConnectString } from './zookeeper.js';

const SYSLOG_PORT = 514;

async function sourceAddress(host: string, port: number): Promise<string> {
  const sock = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.connect(port, host, () => resolve());
    });
    return sock.address().address;
  } finally {
    sock.close();
  }
}

async function nameOf(ip: string): Promise<string | undefined> {
  const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), 3000).unref());
  const name = dns.lookupService(ip, 0).then((s) => s.hostname, () => undefined);
  const found = await Promise.race([name, timeout]);
  return found && found !== ip ? found : undefined;
}

export async function cacheIdentity(zk: string, port: number): Promise<CacheIdentity> {
  let ip = process.env.ARCUS_CACHE_PUBLIC_IP;
  if (!ip) {
    let lastError: unknown;
    for (const server of parseConnectString(zk)) {
      try {
        ip = await sourceAddress(server.host, SYSLOG_PORT);
        break;
      } catch (e) {
        lastError = e;
      }
    }
    if (!ip) throw new Error(`not able to connect any ensemble server of ${zk}: ${String(lastError)}`);
  }
  const shortHostname = os.hostname();
  return { ip, port, hostname: (await nameOf(ip)) ?? shortHostname, shortHostname };
}
