// The jam2in/zkcli image's `arcus.memcached add <ensemble> <host>:<port> <service_code>`: the ARCUS
// init step that maps a cache server to its service, creating (if missing) the persistent znodes
//   /arcus, /arcus/cache_list, /arcus/client_list, /arcus/cache_server_mapping, /arcus/cache_server_log,
//   /arcus/cache_list/<svc>, /arcus/client_list/<svc>,
//   /arcus/cache_server_mapping/<host>:<port>, /arcus/cache_server_mapping/<host>:<port>/<svc>.
// The server is recorded as given, never resolved: the init container runs before the pod is Ready,
// so a pod's headless-service name has no DNS record yet (servermapping.ts matches it by hostname).

import { ARCUS_ROOT, CACHE_LIST_DIR, MAPPING_DIR } from './servermapping.js';
import { isZooError, ZOO_ERR, ZooKeeperClient } from './zookeeper.js';

const USAGE = 'usage: zkcli arcus.memcached add <zk host:port[,...]> <server host:port> <service_code>';

async function ensure(zk: ZooKeeperClient, path: string): Promise<boolean> {
  try {
    await zk.create(path, null);
    return true;
  } catch (e) {
    if (isZooError(e, ZOO_ERR.nodeExists)) return false;
    throw e;
  }
}

/** The persistent znodes that map server to svc, in creation order (parents first). */
export function mappingZnodes(server: string, svc: string): string[] {
  return [
    ARCUS_ROOT, CACHE_LIST_DIR, `${ARCUS_ROOT}/client_list`, MAPPING_DIR, `${ARCUS_ROOT}/cache_server_log`,
    `${CACHE_LIST_DIR}/${svc}`, `${ARCUS_ROOT}/client_list/${svc}`, `${MAPPING_DIR}/${server}`, `${MAPPING_DIR}/${server}/${svc}`,
  ];
}

export async function addMemcached(ensemble: string, server: string, svc: string, out: (line: string) => void): Promise<void> {
  const zk = await ZooKeeperClient.connect(ensemble, { sessionTimeoutMs: 10000 });
  try {
    const others = (await zk.getChildren(`${MAPPING_DIR}/${server}`).catch(() => [])).filter((s) => s !== svc);
    if (others.length) throw new Error(`${server} is already mapped to service code ${others.join(', ')}`);
    for (const path of mappingZnodes(server, svc)) {
      if (await ensure(zk, path)) out(`created ${path}`);
    }
    out(`${server} added to ${svc}`);
  } finally {
    await zk.close();
  }
}

export async function runZkcli(argv: string[]): Promise<number> {
  const [tool, verb, ensemble, server, svc] = argv;
  if (tool !== 'arcus.memcached' || verb !== 'add' || !ensemble || !server || !svc || argv.length !== 5) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (!/^[^/:\s]+:\d+$/.test(server)) {
    process.stderr.write(`zkcli: server must be <host>:<port>, not "${server}"\n`);
    return 2;
  }
  try {
    await addMemcached(ensemble, server, svc, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } catch (e) {
    process.stderr.write(`zkcli: ${(e as Error).message}\n`);
    return 1;
  }
}
