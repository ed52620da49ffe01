// A simulated container's output: timestamped lines kept in memory, read the way the kubelet serves
// `kubectl logs` (since, tail, timestamps, limitBytes, follow until the container exits).

import type { LogOptions } from './runtime.js';

interface Line {
  at: number;
  text: string;
}

/** Lines kept per container instance; older ones are dropped, as log rotation would. */
const MAX_LINES = 1000;

export class ContainerLog {
  private lines: Line[] = [];
  /** Sequence number of lines[0]; lets a follower keep its place while old lines are dropped. */
  private first = 0;
  private closed = false;
  private wake = new Set<() => void>();

  write(at: number, text: string): void {
    if (this.closed) return;
    this.lines.push({ at, text });
    if (this.lines.length > MAX_LINES) {
      this.lines.shift();
      this.first++;
    }
    this.notify();
  }

  /** The container exited: followers finish after the last line. */
  close(): void {
    this.closed = true;
    this.notify();
  }

  async *read(opts: LogOptions): AsyncGenerator<string> {
    let budget = opts.limitBytes ?? Infinity;
    let start = 0;
    if (opts.sinceMs !== undefined) {
      while (start < this.lines.length && this.lines[start].at < opts.sinceMs) start++;
    }
    if (opts.tailLines !== undefined) start = Math.max(start, this.lines.length - Math.max(0, opts.tailLines));
    let next = this.first + start;
    for (;;) {
      for (let i = Math.max(0, next - this.first); i < this.lines.length; i++) {
        let out = format(this.lines[i], opts.timestamps);
        const bytes = Buffer.byteLength(out);
        if (bytes > budget) out = Buffer.from(out).subarray(0, budget).toString();
        budget -= bytes;
        yield out;
        if (budget <= 0) return;
      }
      next = this.first + this.lines.length;
      if (!opts.follow || this.closed || opts.signal?.aborted) return;
      await this.changed(opts.signal);
    }
  }

  private changed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.wake.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.wake.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  private notify(): void {
    for (const w of [...this.wake]) w();
  }
}

/** RFC3339Nano with a fixed nine-digit fraction, as the kubelet prefixes `--timestamps` lines. */
export function logTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function format(line: Line, timestamps?: boolean): string {
  return timestamps ? `${logTimestamp(line.at)} ${line.text}\n` : `${line.text}\n`;
}
