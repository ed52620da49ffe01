// A throwaway single-member etcd for tests: its own data directory and free ports on 127.0.0.1.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { tempDir } from './tmpdir.js';

export interface EtcdProcess {
  /** The client URL, e.g. http://127.0.0.1:40123. */
  url: string;
  stop(): Promise<void>;
  /** Stop the member and start it again on the same data and ports (clients see a disconnect). */
  restart(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const KILL_AFTER_MS = 3_000;

function etcdBin(): string {
  return process.env.ETCD_BIN || '/usr/bin/etcd';
}

export function etcdAvailable(): boolean {
  return existsSync(etcdBin());
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startEtcd(): Promise<EtcdProcess> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const name = 'k8ts-test';
  const args = [
    `--name=${name}`,
    `--data-dir=${tempDir('k8ts-etcd-')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${name}=${peer}`,
    '--initial-cluster-state=new',
    `--initial-cluster-token=k8ts-test-${process.pid}-${clientPort}`,
    '--logger=zap',
    '--log-level=error',
  ];
  let member = await launch(args, url);
  return {
    url,
    stop: () => member.stop(),
    async restart() {
      await member.stop();
      member = await launch(args, url);
    },
  };
}

interface Member {
  stop(): Promise<void>;
}

/** Run etcd with `args` and wait until it is healthy at `url`. */
async function launch(args: string[], url: string): Promise<Member> {
  const child = spawn(etcdBin(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 64 * 1024) stderr += s;
  });
  // The test process may end without stopping it (a failed test, a crash): etcd must not outlive it.
  const killAtExit = (): void => void child.kill('SIGKILL');
  process.on('exit', killAtExit);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    const onExit = (): void => {
      exited = true;
      process.off('exit', killAtExit);
      resolve();
    };
    child.once('exit', onExit);
    // A binary that cannot be spawned emits 'error' and never 'exit'.
    child.once('error', (e) => {
      stderr += `\n${e.message}`;
      onExit();
    });
  });
  const member: Member = {
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      await exit;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastError = '';
  while (!exited && Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      if (res.ok && body.health === 'true') return member;
      lastError = `health: ${JSON.stringify(body)}`;
    } catch (e) {
      lastError = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await member.stop();
  throw new Error(`etcd (${etcdBin()} ${args.join(' ')}) did not become healthy within ${START_TIMEOUT_MS} ms (${exited ? 'it exited' : lastError}):\n${stderr.trim()}`);
}
