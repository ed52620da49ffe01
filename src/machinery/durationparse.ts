// Go's time.ParseDuration, as Kubernetes components read duration flags: `0`, `200ms`, `1.5s`, `2h45m`, `-1m`.

const UNIT_NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const COMPONENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/** Parses a Go duration string and returns it in milliseconds; throws an Error naming what is wrong. */
export function parseDuration(text: string): number {
  const quoted = JSON.stringify(text);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  // Only a bare zero may omit the unit.
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`invalid duration ${quoted}`);

  let nanos = 0;
  while (rest !== '') {
    const m = COMPONENT.exec(rest)!;
    const [whole, intDigits, fracDigits = '', unit] = m;
    if (intDigits === '' && fracDigits === '') throw new Error(`invalid duration ${quoted}`);
    if (unit === '') throw new Error(`missing unit in duration ${quoted}`);
    const scale = UNIT_NANOS[unit];
    if (scale === undefined) throw new Error(`unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    nanos += Number(intDigits || '0') * scale + Math.round(Number(`0.${fracDigits || '0'}`) * scale);
    rest = rest.slice(whole.length);
  }
  // Go's Duration is an int64 of nanoseconds (about 292 years).
  if (!(nanos < 2 ** 63)) throw new Error(`invalid duration ${quoted}`);
  return (sign * nanos) / 1e6;
}
