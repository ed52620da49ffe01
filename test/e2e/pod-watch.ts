// `kubectl get pods -w` as a test sees it: the printed rows, parsed, with waits and order checks.
// The watch is started with -v=6 so that the test can wait until kubectl has listed and opened its
// watch (it prints nothing at all while no pod matches), which makes every later change visible.

import type { Cluster, Stream } from './harness.js';

export interface PodRow {
  /** ADDED, MODIFIED or DELETED with --output-watch-events; '' otherwise. */
  event: string;
  name: string;
  ready: string;
  status: string;
}

export type RowTest = (row: PodRow) => boolean;

export const named =
  (name: string): RowTest =>
  (r) =>
    r.name === name;
/** The pod is Running with all containers ready (`1/1 Running`): Running and Ready. */
export const runningReady =
  (name: string): RowTest =>
  (r) =>
    r.name === name && r.status === 'Running' && /^(\d+)\/\1$/.test(r.ready);
export const runningUnready =
  (name: string): RowTest =>
  (r) =>
    r.name === name && r.status === 'Running' && !/^(\d+)\/\1$/.test(r.ready);
export const terminating =
  (name: string): RowTest =>
  (r) =>
    r.name === name && r.status === 'Terminating';
export const added =
  (name: string): RowTest =>
  (r) =>
    r.name === name && r.event === 'ADDED';
export const deleted =
  (name: string): RowTest =>
  (r) =>
    r.name === name && r.event === 'DELETED';

export class PodWatch {
  private constructor(
    readonly stream: Stream,
    private readonly events: boolean,
  ) {}

  /** `kubectl get pods -w -l <selector>` (plus `--output-watch-events` when `events`), once it watches. */
  static async start(c: Cluster, selector: string, events = false): Promise<PodWatch> {
    const args = ['get', 'pods', '-w', '-l', selector, '-v=6'];
    if (events) args.push('--output-watch-events');
    const stream = c.stream(args);
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`kubectl get -w did not start watching:\n${log}`)), 20_000);
      stream.proc.stderr!.on('data', (d: Buffer) => {
        log += d;
        if (/[?&]watch=true\S* 200 OK/.test(log)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    return new PodWatch(stream, events);
  }

  get rows(): PodRow[] {
    return this.stream.lines
      .filter((l) => l.trim() && !/^(NAME|EVENT)\s/.test(l))
      .map((l) => {
        const cells = l.trim().split(/\s+/);
        const [event, name, ready, status] = this.events ? cells : ['', ...cells];
        return { event, name, ready, status };
      });
  }

  /** The printed lines, for assertion messages. */
  get text(): string {
    return this.stream.lines.join('\n');
  }

  /** Index of the first row at or after `from` that passes `test`, or -1. */
  index(test: RowTest, from = 0): number {
    const rows = this.rows;
    for (let i = from; i < rows.length; i++) if (test(rows[i])) return i;
    return -1;
  }

  /** Waits for a row at or after `from` that passes `test`; returns its index. */
  async until(test: RowTest, what: string, from = 0, timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.index(test, from);
      if (i >= 0) return i;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; kubectl printed:\n${this.text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Names in the order of their first row at or after `from` that passes `test`. */
  order(test: RowTest, from = 0): string[] {
    const names: string[] = [];
    for (const r of this.rows.slice(from)) if (test(r) && !names.includes(r.name)) names.push(r.name);
    return names;
  }

  /**
   * Replays the rows and returns the largest number of pods that were, at one moment from row `from`
   * on, present and not Running+Ready (pending, starting, unready or terminating). Deletions are seen
   * only with watch events.
   */
  maxNotReady(from = 0): number {
    const state = new Map<string, PodRow>();
    let max = 0;
    this.rows.forEach((r, i) => {
      if (r.event === 'DELETED') state.delete(r.name);
      else state.set(r.name, r);
      const notReady = [...state.values()].filter((s) => !runningReady(s.name)(s)).length;
      if (i >= from) max = Math.max(max, notReady);
    });
    return max;
  }

  stop(): void {
    this.stream.stop();
  }
}

/** Retries `check` until it stops throwing (polling the cluster, never a blind sleep). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
