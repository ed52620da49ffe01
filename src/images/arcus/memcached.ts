// The jam2in/arcus-memcached image on a Debian machine: Debian's memcached on a private unix socket,
// the version-rewriting proxy on the memcached port, and with `-z <ensemble>` the ARCUS registration
// (service code from /arcus/cache_server_mapping, ephemeral znode in /arcus/cache_list/<svc>) held for
// as long as memcached runs. The launcher is the container's main process: it exits when memcached
// dies (with memcached's status), on SIGTERM after memcached has stopped, and when the ZooKeeper
// session expires (EX_TEMPFAIL, as ARCUS does so that a restart starts with a cold cache).

import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheIdentity } from './identity.js';
import { memcachedArgv, parseArcusArgs, type ArcusArgs } from './memcachedargs.js';
import { versionProxy, waitForSocket } from './proxy.js';
import { cacheListZnode, findServiceCode } from './servermapping.js';
import { CreateMode, isZooError, ZOO_ERR, ZooKeeperClient } from './zookeeper.js';

export const ARCUS_VERSION = '1.13.5';
const EX_TEMPFAIL = 75;
const EX_PROTOCOL = 76;

const log = (msg: string): void => void process.stderr.write(`arcus-memcached: ${msg}\n`);

/** Creates the ephemeral znode; an old session's node (a restart with the same IP) is waited out. */
async function join(zk: ZooKeeperClient, args: ArcusArgs): Promise<string> {
  const id = await cacheIdentity(args.zk!, args.port);
  const svc = await findServiceCode(zk, id);
  const znode = cacheListZnode(svc, id);
  const deadline = Date.now() + zk.timeoutMs + 5000;
  for (;;) {
    try {
      await zk.create(znode, `${args.memoryMB}MB`, CreateMode.ephemeral);
      log(`Memcached joined Arcus cache cloud for "${svc}" service at ${znode}`);
      return znode;
    } catch (e) {
      if (!isZooError(e, ZOO_ERR.nodeExists) || Date.now() > deadline) throw e;
      log(`${znode} exists: old session still exists, waiting`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export async function runArcusMemcached(argv: string[], version = ARCUS_VERSION): Promise<number> {
  const args = parseArcusArgs(argv);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arcus-memcached-'));
  const socketPath = path.join(dir, 'memcached.sock');
  const root = process.getuid?.() === 0;
  // As root, memcached creates the socket after it has dropped to the user of -u.
  chmodSync(dir, root ? 0o1777 : 0o700);

  const mc = spawn('memcached', memcachedArgv(args, socketPath, root), { stdio: ['ignore', 'inherit', 'inherit'] });
  let zk: ZooKeeperClient | undefined;
  const exited = new Promise<number>((resolve) => {
    mc.on('exit', (code, signal) => resolve(code ?? 128 + (os.constants.signals[signal as NodeJS.Signals] ?? 0)));
    mc.on('error', (e) => { log(`cannot run memcached: ${e.message}`); resolve(127); });
  });
  const stop = (): void => void mc.kill('SIGTERM');
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  let expired = false;
  const startup = async (): Promise<void> => {
    await waitForSocket(socketPath, 10000, () => mc.exitCode !== null || mc.signalCode !== null);
    const server = versionProxy(socketPath, version);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(args.port, args.listen, resolve);
    });
    if (!args.zk) return;
    const onExpired = (): void => {
      log('ZooKeeper session expired; shutting down');
      expired = true;
      mc.kill('SIGKILL');
    };
    zk = await ZooKeeperClient.connect(args.zk, { sessionTimeoutMs: (args.zkTimeoutSec ?? 30) * 1000, onExpired });
    await join(zk, args);
  };
  // Whichever comes first: memcached dying ends the container even in the middle of joining.
  const failed = await Promise.race([startup().then(() => undefined, (e: Error) => e), exited.then(() => undefined)]);
  let status: number;
  if (failed && mc.exitCode === null && mc.signalCode === null) {
    log(`${failed.message}; shutting down`);
    mc.kill('SIGKILL');
    await exited;
    status = EX_PROTOCOL;
  } else {
    status = await exited;
    if (expired) status = EX_TEMPFAIL;
  }
  await zk?.close();
  rmSync(dir, { recursive: true, force: true });
  return status;
}
