// Schedules of robfig/cron/v3 as cron.ParseStandard builds them (5 fields, descriptors, @every, TZ=): a
// parsed schedule answers Next(t), the first activation strictly after t, in the schedule's time zone.

import { CRON_FIELDS as FIELDS, cronScheduleError, type CronFieldBounds as Bounds } from '../../api/validation/cron.js';

export interface Schedule {
  /** The first activation after `t` (ms), or undefined when there is none in the next five years. */
  next(t: number): number | undefined;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** One field's allowed values; `star` when it began with * or ? and had no step above 1 (robfig's starBit). */
interface Field {
  values: Set<number>;
  star: boolean;
}

function parseField(spec: string, b: Bounds): Field {
  const values = new Set<number>();
  let star = false;
  const num = (s: string) => b.names?.[s.toLowerCase()] ?? Number(s);
  for (const expr of spec.split(',')) {
    const [range, stepStr] = expr.split('/');
    const [lo, hi] = range.split('-');
    let start: number;
    let end: number;
    let exprStar = false;
    if (lo === '*' || lo === '?') {
      [start, end, exprStar] = [b.min, b.max, true];
    } else {
      start = num(lo);
      end = hi === undefined ? start : num(hi);
    }
    const step = stepStr === undefined ? 1 : Number(stepStr);
    if (stepStr !== undefined && hi === undefined) end = b.max;
    if (step > 1) exprStar = false;
    star ||= exprStar;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return { values, star };
}

/** Wall-clock fields of an instant in a time zone, and the zone's offset from UTC then (ms). */
function zoneOffset(t: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(t);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(t / 1000) * 1000;
}

/** The instant of a wall time (encoded as if UTC) in a zone; in a DST gap, the hour after. */
function fromWall(wall: number, zone: string): number {
  let t = wall - zoneOffset(wall, zone);
  t = wall - zoneOffset(t, zone);
  return t;
}

class SpecSchedule implements Schedule {
  constructor(
    private fields: Field[],
    private zone: string,
  ) {}

  private dayMatches(d: Date): boolean {
    const [, , dom, , dow] = this.fields;
    const domMatch = dom.values.has(d.getUTCDate());
    const dowMatch = dow.values.has(d.getUTCDay());
    return dom.star || dow.star ? domMatch && dowMatch : domMatch || dowMatch;
  }

  next(t: number): number | undefined {
    const [minute, hour, , month] = this.fields;
    // Work in wall time of the zone, encoded as a UTC Date; start at the next whole minute.
    const w = new Date(Math.floor((t + zoneOffset(t, this.zone)) / 60_000) * 60_000 + 60_000);
    const limit = w.getUTCFullYear() + 5;
    while (w.getUTCFullYear() <= limit) {
      if (!month.values.has(w.getUTCMonth() + 1)) {
        w.setUTCMonth(w.getUTCMonth() + 1, 1);
        w.setUTCHours(0, 0, 0, 0);
      } else if (!this.dayMatches(w)) {
        w.setUTCDate(w.getUTCDate() + 1);
        w.setUTCHours(0, 0, 0, 0);
      } else if (!hour.values.has(w.getUTCHours())) {
        w.setUTCHours(w.getUTCHours() + 1, 0, 0, 0);
      } else if (!minute.values.has(w.getUTCMinutes())) {
        w.setUTCMinutes(w.getUTCMinutes() + 1, 0, 0);
      } else {
        const at = fromWall(w.getTime(), this.zone);
        if (at > t) return at;
        w.setUTCMinutes(w.getUTCMinutes() + 1, 0, 0);
      }
    }
    return undefined;
  }
}

/** ConstantDelaySchedule (@every): whole seconds, at least one. */
class EverySchedule implements Schedule {
  constructor(private delayMs: number) {}

  next(t: number): number {
    return Math.floor(t / 1000) * 1000 + this.delayMs;
  }
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseDuration(s: string): number {
  let ms = 0;
  for (const m of s.matchAll(/([0-9]*(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNITS[m[2]];
  return ms;
}

/** cron.ParseStandard; throws the parser's error. A zone that does not exist is an error too. */
export function parseStandard(spec: string): Schedule {
  const problem = cronScheduleError(spec);
  if (problem) throw new Error(problem);
  let rest = spec;
  let zone = 'UTC';
  const tz = /^(?:CRON_)?TZ=(\S*)\s*/.exec(rest);
  if (tz) {
    zone = tz[1];
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      throw new Error(`provided bad location ${zone}: unknown time zone ${zone}`);
    }
    rest = rest.slice(tz[0].length);
  }
  if (rest.startsWith('@every ')) {
    return new EverySchedule(Math.max(1000, Math.floor(parseDuration(rest.slice(7)) / 1000) * 1000));
  }
  const fields = (DESCRIPTORS[rest] ?? rest).split(/\s+/).filter((f) => f.length > 0);
  return new SpecSchedule(fields.map((f, i) => parseField(f, FIELDS[i])), zone);
}
