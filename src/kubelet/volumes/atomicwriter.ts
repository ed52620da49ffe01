// The kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go): real files live in a hidden
// `..<timestamp>.<random>` directory, `..data` points at it and is swapped by rename(2), and each
// top-level entry is a symlink `<name> -> ..data/<name>`. Readers never see a half-written set.

import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, readdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface FileProjection {
  data: Buffer;
  mode: number;
}

export type Payload = ReadonlyMap<string, FileProjection>;

const DATA_DIR = '..data';
const NEW_DATA_DIR = '..data_tmp';
const MAX_FILE_NAME_LENGTH = 255;
const MAX_PATH_LENGTH = 4096;

/** validatePath: the kubelet's messages for paths the writer refuses. */
export function validatePath(p: string): string | undefined {
  if (p === '') return `invalid path: must not be empty: ${JSON.stringify(p)}`;
  if (path.isAbsolute(p)) return `invalid path: must be relative path: ${p}`;
  if (p.length > MAX_PATH_LENGTH) return `invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`;
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') return `invalid path: must not contain '..': ${p}`;
    if (item.length > MAX_FILE_NAME_LENGTH) return `invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`;
  }
  if (items[0].startsWith('..') && items[0].length > 2) return `invalid path: must not start with '..': ${p}`;
  return undefined;
}

function cleanPayload(payload: Payload): Map<string, FileProjection> {
  const clean = new Map<string, FileProjection>();
  for (const [p, content] of payload) {
    const err = validatePath(p);
    if (err) throw new Error(err);
    clean.set(path.posix.normalize(p).replace(/\/$/, ''), content);
  }
  return clean;
}

const isNotFound = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    out.push(p);
    if (entry.isDirectory()) out.push(...(await walk(root, p)));
  }
  return out;
}

function timestampPrefix(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.`;
}

async function contentDiffers(file: string, data: Buffer): Promise<boolean> {
  try {
    return !(await readFile(file)).equals(data);
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
}

export class AtomicWriter {
  constructor(
    readonly targetDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Project exactly `payload` into the target directory (which must exist); returns whether anything changed. */
  async write(payload: Payload): Promise<boolean> {
    const clean = cleanPayload(payload);
    const dataDirPath = path.join(this.targetDir, DATA_DIR);
    let oldTsDir = '';
    try {
      oldTsDir = await readlink(dataDirPath);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const oldTsPath = path.join(this.targetDir, oldTsDir);

    let toRemove: string[] = [];
    if (oldTsDir) {
      toRemove = await this.pathsToRemove(clean, oldTsPath);
      let changed = false;
      for (const [p, f] of clean) if ((changed = await contentDiffers(path.join(oldTsPath, p), f.data))) break;
      if (!changed && toRemove.length === 0) return false;
    }

    const tsDir = await mkdtemp(path.join(this.targetDir, timestampPrefix(this.now())));
    await chmod(tsDir, 0o755);
    for (const [p, f] of clean) {
      const full = path.join(tsDir, p);
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, f.data, { mode: f.mode });
      await chmod(full, f.mode);
    }
    await this.createUserVisibleFiles(clean);

    const newDataDirPath = path.join(this.targetDir, NEW_DATA_DIR);
    try {
      await symlink(path.basename(tsDir), newDataDirPath);
      await rename(newDataDirPath, dataDirPath);
    } catch (e) {
      await rm(newDataDirPath, { force: true });
      await rm(tsDir, { recursive: true, force: true });
      throw e;
    }

    // only top-level entries are symlinks in the target dir; deeper paths vanish with the old ts dir
    for (const p of toRemove) if (!p.includes('/')) await unlink(path.join(this.targetDir, p)).catch((e) => { if (!isNotFound(e)) throw e; });
    if (oldTsDir) await rm(oldTsPath, { recursive: true, force: true });
    return true;
  }

  private async pathsToRemove(payload: Map<string, FileProjection>, oldTsPath: string): Promise<string[]> {
    let current: string[];
    try {
      current = await walk(oldTsPath);
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    const keep = new Set<string>();
    for (const file of payload.keys()) {
      for (let sub = file; sub !== '' && sub !== '.'; sub = path.posix.dirname(sub)) keep.add(sub);
    }
    return current.filter((p) => !keep.has(p));
  }

  private async createUserVisibleFiles(payload: Map<string, FileProjection>): Promise<void> {
    for (const p of payload.keys()) {
      const name = p.split('/')[0];
      const visible = path.join(this.targetDir, name);
      try {
        await lstat(visible);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        await symlink(path.join(DATA_DIR, name), visible);
      }
    }
  }
}
