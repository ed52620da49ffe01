// Test fixture: a standalone ZooKeeper server (Debian's zookeeper package) on 127.0.0.1 and a free port,
// with its own data dir; undefined when java or the ZooKeeper jars are not installed.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const JARS = '/usr/share/java';

export interface ZkServer {
  port: number;
  connectString: string;
  /** Sends a four-letter-word command and returns the answer. */
  fourLetter(cmd: string): Promise<string>;
  /** Kills the server and starts it again on the same port and data (sessions survive). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function zookeeperAvailable(): boolean {
  return existsSync('/usr/bin/java') && existsSync(path.join(JARS, 'zookeeper.jar'));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function fourLetter(port: number, cmd: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const s = net.connect(port, '127.0.0.1', () => s.write(cmd));
    s.setTimeout(1000, () => s.destroy()); // something other than ZooKeeper may have taken the port
    s.on('data', (d) => (out += d.toString()));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(''));
  });
}

export async function startZooKeeper(): Promise<ZkServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arcus-zk-'));
  const cfg = path.join(dir, 'zoo.cfg');
  writeFileSync(cfg, [
    `dataDir=${dir}/data`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1', 'tickTime=500',
    'minSessionTimeout=1000', 'maxSessionTimeout=30000', '4lw.commands.whitelist=*', 'admin.enableServer=false', '',
  ].join('\n'));
  let proc: ChildProcess | undefined;
  const kill = async (): Promise<void> => {
    if (proc && proc.exitCode === null) {
      const gone = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGKILL');
      await gone;
    }
  };
  const stop = async (): Promise<void> => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  const launch = async (): Promise<void> => {
    proc = spawn('java', ['-Xmx64m', '-cp', `${JARS}/*`, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg], { stdio: 'ignore' });
    const deadline = Date.now() + 20000;
    while ((await fourLetter(port, 'ruok')) !== 'imok') {
      if (Date.now() > deadline || proc.exitCode !== null) {
        await stop();
        throw new Error(`ZooKeeper did not start on port ${port}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await launch();
  return {
    port,
    connectString: `127.0.0.1:${port}`,
    fourLetter: (c) => fourLetter(port, c),
    restart: async () => { await kill(); await launch(); },
    stop,
  };
}
