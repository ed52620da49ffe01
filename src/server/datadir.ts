// One k8ts server per data directory: a pid file created with O_EXCL, taken over when its owner is dead.
import fs from 'node:fs';
import path from 'node:path';

export interface DataDirLock {
  release(): void;
}

export const PID_FILE = 'k8ts.pid';

export function lockDataDir(dir: string): DataDirLock {
  // The directory holds keys and Secrets; tighten one created by an older version as well.
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, PID_FILE);
  // Two rounds: the second follows removing a stale file left by a server that was killed.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(file)) return { release: () => releaseIfOwned(file) };
    const owner = readPid(file);
    if (owner !== undefined && isAlive(owner)) {
      throw new Error(`data directory ${dir} is in use by another k8ts server (pid ${owner})`);
    }
    fs.rmSync(file, { force: true });
  }
  throw new Error(`data directory ${dir} is in use by another k8ts server (could not take over ${file})`);
}

function tryCreate(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    fs.writeSync(fd, `${process.pid}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function readPid(file: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const pid = Number(text);
  return /^\d+$/.test(text) && pid > 0 ? pid : undefined;
}

/** Whether a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Idempotent, and never removes a pid file that another server has written since.
function releaseIfOwned(file: string): void {
  if (readPid(file) === process.pid) fs.rmSync(file, { force: true });
}
