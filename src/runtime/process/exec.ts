// `kubectl exec` and `kubectl attach` on a process node. Exec enters every namespace of the
// container's PID 1 (its root, /proc, hostname, network) and runs the command with the container's
// environment and user; with a tty the command runs under script(1), which gives it a terminal.
// Attach joins the container's own stdin and output.

import { spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import type { AttachRequest, ExecRequest, ExecSession } from '../runtime.js';
import type { Container } from './processruntime.js';
import { shQuote } from './rootfs.js';

export function execSession(c: Container, request: ExecRequest): ExecSession {
  const user = c.config.linux?.user;
  const setpriv = user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, user.groups.length ? `--groups=${user.groups.join(',')}` : '--clear-groups', '--'] : [];
  const argv = request.tty ? ['script', '-qfec', request.command.map(shQuote).join(' '), '/dev/null'] : request.command;
  const child = spawn('nsenter', ['-t', String(c.process!.pid), '-a', '--', ...setpriv, ...argv], {
    env: { ...c.env, ...(request.tty ? { TERM: 'xterm' } : {}) },
    stdio: [request.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => undefined);
  const exit = new Promise<number>((resolve) => {
    child.on('error', () => resolve(126));
    child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 143)));
  });
  return {
    stdin: child.stdin ?? undefined,
    stdout: child.stdout!,
    stderr: child.stderr!,
    exit,
    kill: () => child.kill('SIGKILL'),
  };
}

export function attachSession(c: Container, request: AttachRequest): ExecSession {
  const proc = c.process!;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const onOut = (text: string) => stdout.write(text);
  const onErr = (text: string) => (request.tty ? stdout : stderr).write(text);
  proc.on('stdout', onOut);
  proc.on('stderr', onErr);
  let attached = true;
  const detach = () => {
    if (!attached) return;
    attached = false;
    proc.off('stdout', onOut);
    proc.off('stderr', onErr);
    stdout.end();
    stderr.end();
  };
  // The API server destroys the streams when the client goes away: stop copying output to them.
  stdout.once('close', detach);
  const exit = proc.ended.then((end) => {
    detach();
    return end.started ? end.exitCode : 128;
  });
  let stdin: Writable | undefined;
  if (request.stdin && proc.stdin) {
    const target = proc.stdin;
    const once = !!c.config.linux?.spec.stdinOnce;
    stdin = new Writable({
      write(chunk: Buffer, _enc, cb) {
        target.write(chunk, () => cb());
      },
      final(cb) {
        if (once) target.end();
        cb();
      },
    });
  }
  return { stdin, stdout, stderr, exit };
}
