// Running the machine's network tools (ip, nft, nsenter) and reporting their failures with stderr.

import { execFile, spawn } from 'node:child_process';

export class CommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly stderr: string,
    code: number | null,
  ) {
    super(`${argv.join(' ')} failed (exit ${code}): ${stderr.trim() || 'no output'}`);
  }
}

/** Runs argv with `input` on stdin; resolves with stdout. */
export function command(argv: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new CommandError(argv, e.message, null)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new CommandError(argv, err, code))));
    if (child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    }
  });
}

/** `ip -batch -`, in the network namespace bound at `netns` when given; -force keeps going past errors only when asked. */
export function ipBatch(lines: string[], netns?: string, force = false): Promise<string> {
  const ip = ['ip', ...(force ? ['-force'] : []), '-batch', '-'];
  return command(netns ? ['nsenter', `--net=${netns}`, ...ip] : ip, lines.join('\n') + '\n');
}

/** Whether a program is on PATH. */
export function hasProgram(name: string): Promise<boolean> {
  return new Promise((resolve) => execFile('sh', ['-c', `command -v ${name}`], (e) => resolve(!e)));
}
