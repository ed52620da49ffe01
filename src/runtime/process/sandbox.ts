// A pod sandbox's namespaces without a holder process: `unshare` creates them and bind-mounts each
// onto a file in the sandbox directory, which keeps it alive until the file is unmounted.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { command } from '../../network/command.js';

const KINDS = ['net', 'uts', 'ipc'] as const;

/** The namespace files of a sandbox; with host networking the pod uses the host's network and UTS namespaces. */
export function namespaceFiles(dir: string, hostNetwork = false): { net?: string; uts?: string; ipc?: string } {
  const ipc = path.join(dir, 'ipc');
  return hostNetwork ? { ipc } : { net: path.join(dir, 'net'), uts: path.join(dir, 'uts'), ipc };
}

export async function createNamespaces(dir: string, hostname: string, hostNetwork: boolean): Promise<void> {
  const files = namespaceFiles(dir, hostNetwork);
  for (const f of Object.values(files)) await writeFile(f, '');
  const args = Object.entries(files).map(([kind, f]) => `--${kind}=${f}`);
  const init = hostNetwork ? 'true' : 'hostname "$1" && ip link set lo up';
  await command(['unshare', ...args, '--', 'sh', '-c', init, 'sandbox', hostname]);
}

export async function removeNamespaces(dir: string): Promise<void> {
  for (const kind of KINDS) {
    const f = path.join(dir, kind);
    await command(['umount', f]).catch(() => undefined);
    await rm(f, { force: true });
  }
}

/**
 * The pause process of a pod with shareProcessNamespace: PID 1 of the pod's PID namespace, which its
 * containers join; it dies with the server (parent-death signal) or when the sandbox is torn down.
 */
export class PauseProcess {
  private constructor(
    private proc: ChildProcess,
    readonly pid: number,
  ) {}

  /** The file containers enter the PID namespace by. */
  get pidNamespace(): string {
    return `/proc/${this.pid}/ns/pid`;
  }

  static async start(files: { net?: string; uts?: string; ipc?: string }): Promise<PauseProcess> {
    const enter = Object.entries(files).map(([kind, f]) => `--${kind}=${f}`);
    const proc = spawn('setpriv', ['--pdeathsig=KILL', '--', 'nsenter', ...enter, '--', 'unshare', '--pid', '--fork', '--kill-child', '--', 'sleep', 'infinity'], { stdio: 'ignore' });
    const parent = proc.pid!;
    for (let i = 0; i < 200; i++) {
      const child = Number((await readFile(`/proc/${parent}/task/${parent}/children`, 'utf8').catch(() => '')).trim().split(' ')[0]);
      if (child) return new PauseProcess(proc, child);
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    proc.kill('SIGKILL');
    throw new Error('the pause process of the pod sandbox did not start');
  }

  stop(): void {
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    this.proc.kill('SIGKILL');
  }
}
