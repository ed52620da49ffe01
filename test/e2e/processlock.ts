// One k8ts server with process nodes may run on a machine at a time (it owns the pod network), while
// the test runner runs two test files at once: servers with `--runtime process` take this lock first,
// waiting for another file's to be released. Re-entrant within one test file.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const LOCK = path.join(tmpdir(), 'k8ts-e2e-process-runtime.lock');
let held = 0;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid holding the lock; 0 while its holder has not written it yet. */
function ownerOf(): number {
  try {
    return Number(readFileSync(path.join(LOCK, 'pid'), 'utf8').trim() || 0);
  } catch {
    return 0;
  }
}

export function usesProcessRuntime(args: string[]): boolean {
  const i = args.indexOf('--runtime');
  return i >= 0 && (args[i + 1] ?? '').split(',').includes('process');
}

export async function acquireProcessLock(timeoutMs = 15 * 60_000): Promise<void> {
  if (held++ > 0) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = ownerOf();
      if (owner && !alive(owner)) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK} (held by pid ${owner})`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export function releaseProcessLock(): void {
  if (held === 0 || --held > 0) return;
  rmSync(LOCK, { recursive: true, force: true });
}
