// A pod sandbox's namespaces without a holder process: `unshare` creates them and bind-mounts each
// onto a file in the sandbox directory, which keeps it alive until the file is unmounted.

import { rm, writeFile } from 'node:fs/promises';
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
