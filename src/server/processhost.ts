// The machine side of process nodes: one server at a time may run them (a lock in /run/k8ts), what a
// crashed one left behind (processes, mounts, devices, nftables rules) is removed at start, and the
// bridges, the cluster DNS address and the forward filter are set up; at stop everything goes again.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { logger } from '../machinery/log.js';
import { isAlive } from './datadir.js';
import { command, hasProgram } from '../network/command.js';
import { bridgeName, PodNetwork, setUpHostNetwork, tearDownHostNetwork } from '../network/podnetwork.js';
import { detectCgroups, limitsWarning, removeAllCgroups, type CgroupLayout } from '../runtime/process/cgroups.js';
import { ImagePuller } from '../runtime/process/imagepuller.js';
import { ProcessRuntime } from '../runtime/process/processruntime.js';
import { realClock } from '../machinery/clock.js';
import { KUBE_DNS_SERVICE_IP } from '../registry/service.js';

const log = logger('process-host');
const LOCK_DIR = '/run/k8ts';
const LOCK_FILE = path.join(LOCK_DIR, 'process-runtime.json');
/** The kube-dns Service address every pod's resolv.conf names. */
const TOOLS = ['unshare', 'nsenter', 'setpriv', 'ip', 'mount', 'findmnt'];

interface LockRecord {
  pid: number;
  dataDir: string;
}

export class ProcessHost {
  readonly puller = new ImagePuller();
  private runtimes: ProcessRuntime[] = [];
  private bridges: string[] = [];
  /** Set once the network is up; the node conditions report it. */
  warnings: string[] = [];

  private constructor(
    private dataDir: string,
    private cgroups: CgroupLayout,
  ) {}

  /** Checks the machine, takes the lock and removes a crashed server's leftovers. */
  static async prepare(dataDir: string): Promise<ProcessHost> {
    if (process.getuid?.() !== 0) throw new Error('the process runtime needs root (Linux namespaces, mounts, network devices): run k8ts as root, or use --runtime sim');
    for (const tool of TOOLS) {
      if (!(await hasProgram(tool))) throw new Error(`the process runtime needs ${tool} (util-linux, iproute2), which is not installed`);
    }
    const canUnshare = await command(['unshare', '--net', '--uts', '--ipc', '--mount', '--pid', '--fork', 'true']).then(
      () => true,
      () => false,
    );
    if (!canUnshare) throw new Error('the process runtime needs Linux namespaces (net, uts, ipc, mount, pid), which this machine does not allow');
    const cgroups = await detectCgroups();
    const prev = previousLock();
    acquireLock(dataDir, prev);
    const host = new ProcessHost(dataDir, cgroups);
    await host.removeLeftovers(prev);
    const warning = limitsWarning(cgroups);
    if (warning) host.warnings.push(warning);
    return host;
  }

  /** The runtime of process node `index` (its bridge `k8ts-br<index>`, created here). */
  async runtime(index: number, nodeName: string, podCIDR: string): Promise<ProcessRuntime> {
    const name = bridgeName(index);
    const network = new PodNetwork({ name, podCIDR });
    const first = this.bridges.length === 0;
    await network.ensureBridge(first);
    this.bridges.push(name);
    if (first) {
      const warning = await setUpHostNetwork(KUBE_DNS_SERVICE_IP, name);
      if (warning) this.warnings.push(warning);
    }
    const rt = new ProcessRuntime({ clock: realClock, rootDir: this.nodeDir(nodeName), network, puller: this.puller, cgroups: this.cgroups, warnings: this.warnings });
    this.runtimes.push(rt);
    return rt;
  }

  nodeDir(nodeName: string): string {
    return path.join(this.dataDir, 'kubelet', nodeName);
  }

  async stop(): Promise<void> {
    await Promise.all(this.runtimes.map((rt) => rt.shutdown()));
    await this.removeLeftovers({ pid: process.pid, dataDir: this.dataDir });
    rmSync(LOCK_FILE, { force: true });
  }

  private async removeLeftovers(prev: LockRecord | undefined): Promise<void> {
    await removeAllCgroups(this.cgroups);
    if (prev) {
      const root = path.join(prev.dataDir, 'kubelet');
      const mounts = await command(['findmnt', '-rn', '-o', 'TARGET']).catch(() => '');
      const ours = mounts
        .split('\n')
        .filter((t) => t.startsWith(`${root}/`))
        .sort((a, b) => b.length - a.length);
      for (const target of ours) await command(['umount', '-l', target]).catch((e: Error) => log.warning('Unmounting a leftover failed', { target, err: e.message }));
      rmSync(root, { recursive: true, force: true });
    }
    await tearDownHostNetwork();
  }
}

function previousLock(): LockRecord | undefined {
  try {
    return JSON.parse(readFileSync(LOCK_FILE, 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}

function acquireLock(dataDir: string, prev: LockRecord | undefined): void {
  if (prev && prev.pid !== process.pid && isAlive(prev.pid)) {
    throw new Error(`another k8ts server (pid ${prev.pid}, data dir ${prev.dataDir}) runs process nodes on this machine; stop it first (one server at a time owns the pod network)`);
  }
  mkdirSync(LOCK_DIR, { recursive: true });
  writeFileSync(LOCK_FILE, JSON.stringify({ pid: process.pid, dataDir } satisfies LockRecord));
}
