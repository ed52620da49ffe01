// A small structured logger in klog's text format:
//   E1203 06:12:18.100236 component] message key="value" n=3
// Errors and warnings always print; info needs verbosity >= 1 and V(n).info needs verbosity >= n.

import { realClock, type Clock } from './clock.js';

export type KeyValues = Record<string, unknown>;

export interface InfoLogger {
  info(msg: string, kv?: KeyValues): void;
}

export interface Logger extends InfoLogger {
  error(msg: string, kv?: KeyValues): void;
  warning(msg: string, kv?: KeyValues): void;
  v(level: number): InfoLogger;
}

interface Settings {
  verbosity: number;
  clock: Clock;
  sink: (line: string) => void;
}

const settings: Settings = {
  verbosity: 0,
  clock: realClock,
  sink: (line) => process.stderr.write(line),
};

/** The -v flag. */
export function setVerbosity(n: number): void {
  settings.verbosity = n;
}

/** Whether V(level) lines are written, so callers can skip building them. */
export function verbosityAtLeast(level: number): boolean {
  return settings.verbosity >= level;
}

/** Redirect output and time (tests); returns a function restoring the previous ones. */
export function setOutput(sink: (line: string) => void, clock: Clock = settings.clock): () => void {
  const prev = { sink: settings.sink, clock: settings.clock };
  settings.sink = sink;
  settings.clock = clock;
  return () => Object.assign(settings, prev);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** klog's header: severity letter, MMDD, hh:mm:ss.uuuuuu (UTC here; klog uses local time). */
export function header(severity: 'E' | 'W' | 'I', ms: number): string {
  const d = new Date(ms);
  const micros = Math.floor((ms % 1000) * 1000);
  return `${severity}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micros, 6)}`;
}

/** Strings and errors are quoted (multi-line ones as klog's indented <...> block); other values print as is. */
export function formatValue(v: unknown): string {
  let s: string;
  if (v instanceof Error) s = v.message;
  else if (typeof v === 'string') s = v;
  else if (v === undefined || v === null) return '<nil>';
  else if (typeof v === 'object') return JSON.stringify(v);
  else return String(v);
  if (s.includes('\n')) return `<\n${s.split('\n').map((l) => `\t${l}\n`).join('')} >`;
  return JSON.stringify(s);
}

export function formatLine(severity: 'E' | 'W' | 'I', ms: number, component: string, msg: string, kv: KeyValues = {}): string {
  const pairs = Object.entries(kv).map(([k, v]) => ` ${k}=${formatValue(v)}`);
  return `${header(severity, ms)} ${component}] ${msg}${pairs.join('')}\n`;
}

function write(severity: 'E' | 'W' | 'I', component: string, msg: string, kv?: KeyValues): void {
  settings.sink(formatLine(severity, settings.clock.now(), component, msg, kv));
}

export function logger(component: string): Logger {
  const v = (level: number): InfoLogger => ({
    info: (msg, kv) => {
      if (settings.verbosity >= level) write('I', component, msg, kv);
    },
  });
  return {
    error: (msg, kv) => write('E', component, msg, kv),
    warning: (msg, kv) => write('W', component, msg, kv),
    info: v(1).info,
    v,
  };
}
