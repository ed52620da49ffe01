// How an ARCUS cache server finds its service code and names its cache_list znode (arcus_zk.c):
// the children of /arcus/cache_server_mapping/<ip>:<port>, else of <hostname>:<port>, else of <ip>,
// name the service; the server then joins with the ephemeral /arcus/cache_list/<svc>/<ip>:<port>-<hostname>.
//
// k8ts addition: a mapping written for a DNS name (`web-0.mc.default.svc.cluster.local:11211`, as the
// init container writes it before the pod is Ready and its DNS record exists) also matches when its
// first label is this pod's hostname and the port is the same, without resolving the name. Pod names
// are unique in a namespace, and the subdomain in a manifest need not match the headless service.

import { isZooError, ZOO_ERR, type ZooKeeperClient } from './zookeeper.js';

export const ARCUS_ROOT = '/arcus';
export const MAPPING_DIR = `${ARCUS_ROOT}/cache_server_mapping`;
export const CACHE_LIST_DIR = `${ARCUS_ROOT}/cache_list`;

export interface CacheIdentity {
  ip: string;
  port: number;
  /** The name of `ip` in /etc/hosts (gethostbyaddr), else the host name. */
  hostname: string;
  /** The kernel host name (the pod's hostname). */
  shortHostname: string;
}

/** Whether a mapping entry `<host>:<port>` names this server by DNS name. */
export function namesThisServer(entry: string, id: CacheIdentity): boolean {
  const colon = entry.lastIndexOf(':');
  if (colon < 0 || entry.slice(colon + 1) !== String(id.port)) return false;
  const host = entry.slice(0, colon);
  return host === id.hostname || host.split('.')[0] === id.shortHostname.split('.')[0];
}

async function children(zk: ZooKeeperClient, path: string): Promise<string[] | undefined> {
  try {
    return await zk.getChildren(path);
  } catch (e) {
    if (isZooError(e, ZOO_ERR.noNode)) return undefined;
    throw e;
  }
}

/** The service code mapped to this server; throws when there is none or more than one. */
export async function findServiceCode(zk: ZooKeeperClient, id: CacheIdentity): Promise<string> {
  await zk.sync(MAPPING_DIR);
  const entries = (await children(zk, MAPPING_DIR)) ?? [];
  const candidates = [`${id.ip}:${id.port}`, `${id.hostname}:${id.port}`, ...entries.filter((e) => namesThisServer(e, id)), id.ip];
  for (const c of candidates) {
    if (!entries.includes(c)) continue;
    const svc = (await children(zk, `${MAPPING_DIR}/${c}`)) ?? [];
    if (svc.length !== 1) throw new Error(`the server mapping ${MAPPING_DIR}/${c} has ${svc.length} (!= 1) mapping znodes`);
    return svc[0]!.split(/[\s^]/)[0]!;
  }
  throw new Error(`cannot find the server mapping for ${candidates.slice(0, 2).join(' or ')} under ${MAPPING_DIR}`);
}

/** The ephemeral znode this server holds while it serves. */
export function cacheListZnode(svc: string, id: CacheIdentity): string {
  return `${CACHE_LIST_DIR}/${svc}/${id.ip}:${id.port}-${id.hostname}`;
}
