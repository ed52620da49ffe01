// Container cgroups. On cgroup v1 (this machine's kind) each container gets a directory in the memory,
// cpu and pids hierarchies, nested under the cgroup the server itself runs in (the memory hierarchy may
// be delegated below the root); the pids directory also tracks every process of the container, so
// leftovers of a crashed server can be found and killed. On cgroup v2 limits are not enforced (the
// node reports it in its conditions).

import { mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { logger } from '../../machinery/log.js';

const log = logger('cgroups');
const ROOT = '/sys/fs/cgroup';
/** Directory name of k8ts containers in every hierarchy. */
export const CGROUP_PARENT = 'k8ts';

export interface ContainerLimits {
  memoryBytes?: number;
  /** CPU limit in millicores. */
  cpuMillis?: number;
  /** CPU request in millicores (cpu.shares). */
  cpuRequestMillis?: number;
}

export interface CgroupLayout {
  version: 1 | 2;
  /** Hierarchy → the directory k8ts containers go under (v1 only). */
  parents: Partial<Record<'memory' | 'cpu' | 'pids', string>>;
}

export async function detectCgroups(): Promise<CgroupLayout> {
  const fsType = await readFile('/proc/filesystems', 'utf8').catch(() => '');
  const v2 = await readFile(`${ROOT}/cgroup.controllers`, 'utf8').then(
    () => true,
    () => false,
  );
  if (v2 || !fsType.includes('cgroup')) return { version: 2, parents: {} };
  const self = await readFile('/proc/self/cgroup', 'utf8');
  const parents: CgroupLayout['parents'] = {};
  for (const line of self.split('\n')) {
    const [, controllers, dir] = line.split(':');
    if (dir === undefined) continue;
    for (const c of controllers.split(',')) {
      if (c !== 'memory' && c !== 'pids' && c !== 'cpu') continue;
      const base = path.join(ROOT, c === 'cpu' ? 'cpu' : c, dir);
      try {
        await readdir(base);
        parents[c] = path.join(base, CGROUP_PARENT);
      } catch {
        // Hierarchy not mounted where expected: that controller is not used.
      }
    }
  }
  return { version: 1, parents };
}

/** What the node reports about resource limits (undefined when all are enforced). */
export function limitsWarning(layout: CgroupLayout): string | undefined {
  if (layout.version === 2) return 'cgroup v2: container memory and CPU limits are not enforced by k8ts on this machine';
  const missing = (['memory', 'cpu'] as const).filter((c) => !layout.parents[c]);
  return missing.length ? `cgroup v1 ${missing.join(' and ')} hierarchy not available: those container limits are not enforced` : undefined;
}

export class ContainerCgroups {
  readonly dirs: string[] = [];

  private constructor(private layout: CgroupLayout) {}

  static async create(layout: CgroupLayout, id: string, limits: ContainerLimits): Promise<ContainerCgroups> {
    const cg = new ContainerCgroups(layout);
    for (const [controller, parent] of Object.entries(layout.parents)) {
      const dir = path.join(parent, id);
      await mkdir(dir, { recursive: true });
      cg.dirs.push(dir);
      if (controller === 'memory' && limits.memoryBytes) await writeFile(path.join(dir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      if (controller === 'cpu') {
        if (limits.cpuMillis) await writeFile(path.join(dir, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.round(limits.cpuMillis * 100))));
        if (limits.cpuRequestMillis) await writeFile(path.join(dir, 'cpu.shares'), String(Math.max(2, Math.round((limits.cpuRequestMillis * 1024) / 1000))));
      }
    }
    return cg;
  }

  /** How many times the kernel's OOM killer killed a process of this container. */
  async oomKills(): Promise<number> {
    const mem = this.dirs.find((d) => d.startsWith(this.layout.parents.memory ?? '\0'));
    if (!mem) return 0;
    const text = await readFile(path.join(mem, 'memory.oom_control'), 'utf8').catch(() => '');
    return Number(/oom_kill (\d+)/.exec(text)?.[1] ?? 0);
  }

  async remove(): Promise<void> {
    for (const dir of this.dirs) await removeCgroup(dir);
  }
}

/** Kills what is left in a cgroup directory and removes it. */
async function removeCgroup(dir: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const procs = await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    const pids = procs.split('\n').filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    try {
      await rmdir(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  log.warning('Could not remove a container cgroup', { dir });
}

/** Removes every k8ts container cgroup (after a crash, the processes still in them are killed). */
export async function removeAllCgroups(layout: CgroupLayout): Promise<void> {
  for (const parent of Object.values(layout.parents)) {
    const children = await readdir(parent, { withFileTypes: true }).catch(() => []);
    for (const child of children) if (child.isDirectory()) await removeCgroup(path.join(parent, child.name));
  }
}
