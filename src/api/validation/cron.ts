// The schedule check of cron.ParseStandard (robfig/cron/v3), with its error texts.

/** The range of one field of a standard schedule, and the names it accepts. */
export interface CronFieldBounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** Minute, hour, day of month, month, day of week. */
export const CRON_FIELDS: readonly CronFieldBounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(DAYS.map((d, i) => [d, i])) },
];
const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

function parseInt10(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

const parseIntOrName = (expr: string, b: CronFieldBounds) => b.names?.[expr.toLowerCase()] ?? parseInt10(expr);

function checkRange(expr: string, b: CronFieldBounds): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
  } else {
    start = parseIntOrName(lowAndHigh[0], b);
    if (lowAndHigh.length > 2) throw new Error(`too many hyphens: ${expr}`);
    end = lowAndHigh.length === 2 ? parseIntOrName(lowAndHigh[1], b) : start;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseInt10(rangeAndStep[1]);
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1) end = b.max;
  } else if (rangeAndStep.length > 2) {
    throw new Error(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
}

/** Undefined when the standard 5-field schedule (or a descriptor) parses, otherwise the parser's error. */
export function cronScheduleError(spec: string): string | undefined {
  try {
    let rest = spec;
    const tz = /^(?:CRON_)?TZ=(\S*)\s*/.exec(rest);
    if (tz) rest = rest.slice(tz[0].length);
    if (rest.startsWith('@')) {
      if (DESCRIPTORS.has(rest)) return undefined;
      if (rest.startsWith('@every ')) {
        if (!/^([0-9]*(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(rest.slice(7))) throw new Error(`failed to parse duration ${rest}: time: invalid duration ${JSON.stringify(rest.slice(7))}`);
        return undefined;
      }
      throw new Error(`unrecognized descriptor: ${rest}`);
    }
    const fields = rest.split(/\s+/).filter((f) => f.length > 0);
    if (fields.length === 0 && spec.length === 0) throw new Error('empty spec string');
    if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
    fields.forEach((f, i) => f.split(',').forEach((expr) => checkRange(expr, CRON_FIELDS[i])));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
