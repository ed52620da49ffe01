// resource.Quantity (k8s.io/apimachinery/pkg/api/resource): parsing, exact comparison and arithmetic,
// and the canonical string form the API server writes back ("1.5" -> "1500m", "1536Mi" stays, "2048Ki" -> "2Mi").

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** The amount is `value × 10^scale`, kept exact. */
export interface Quantity {
  readonly value: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
}

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityError extends Error {}

const NANO = -9;
const MILLI = -3;
const MAX_ALLOWED = (1n << 63n) - 1n;

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

interface Parts {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

// Mirrors parseQuantityString: sign, numerator, optional fraction, then the suffix characters.
function split(str: string): Parts {
  let pos = 0;
  let positive = true;
  if (str[0] === '-' || str[0] === '+') {
    positive = str[0] === '+';
    pos++;
  }
  while (str[pos] === '0') pos++;
  const numStart = pos;
  while (pos < str.length && str[pos] >= '0' && str[pos] <= '9') pos++;
  const num = str.slice(numStart, pos) || '0';
  let denom = '';
  if (str[pos] === '.') {
    const start = ++pos;
    while (pos < str.length && str[pos] >= '0' && str[pos] <= '9') pos++;
    denom = str.slice(start, pos);
  }
  const suffixStart = pos;
  while (pos < str.length && 'eEinumkKMGTP'.includes(str[pos])) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (pos < str.length && str[pos] >= '0' && str[pos] <= '9') pos++;
  if (pos < str.length) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } {
  if (suffix in decimalSuffixes) return { base: 10, exponent: decimalSuffixes[suffix], format: 'DecimalSI' };
  if (suffix in binarySuffixes) return { base: 2, exponent: binarySuffixes[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[eE][-+]?[0-9]+$/.test(suffix)) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  throw new QuantityError(QUANTITY_SUFFIX_ERROR);
}

const pow10 = (n: number) => 10n ** BigInt(n);

/** Divides by 10^digits, rounding away from zero, as int64Amount.AsScale does. */
function shrink(value: bigint, digits: number): bigint {
  const d = pow10(digits);
  const q = value / d;
  if (q * d === value) return q;
  return value > 0n ? q + 1n : q - 1n;
}

export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const { positive, num, denom, suffix } = split(str);
  const { base, exponent, format } = interpretSuffix(suffix);
  let value = BigInt(num + denom);
  let scale = -denom.length;
  if (base === 10) scale += exponent;
  else value <<= BigInt(exponent);
  // Anything finer than a nano-unit rounds up, so a tiny non-zero request still gets something.
  if (scale < NANO) {
    value = shrink(value, NANO - scale);
    scale = NANO;
  }
  if (scale >= 0 ? value * pow10(scale) > MAX_ALLOWED : value > MAX_ALLOWED * pow10(-scale)) {
    value = MAX_ALLOWED;
    scale = 0;
  }
  return { value: positive ? value : -value, scale, format };
}

/** Undefined when valid, otherwise the upstream parse error text. */
export function quantityError(str: string): string | undefined {
  try {
    parseQuantity(str);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function align(a: Quantity, b: Quantity): [bigint, bigint] {
  const scale = Math.min(a.scale, b.scale);
  return [a.value * pow10(a.scale - scale), b.value * pow10(b.scale - scale)];
}

export function compareQuantity(a: Quantity, b: Quantity): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const isZeroQuantity = (q: Quantity) => q.value === 0n;

export function addQuantity(a: Quantity, b: Quantity): Quantity {
  const [x, y] = align(a, b);
  return { value: x + y, scale: Math.min(a.scale, b.scale), format: a.value === 0n ? b.format : a.format };
}

export const subQuantity = (a: Quantity, b: Quantity) => addQuantity(a, { ...b, value: -b.value });

/** RoundUp(scale): drops precision finer than 10^scale, away from zero (SetDefaults_ResourceList uses milli). */
export function roundUpQuantity(q: Quantity, scale: number): Quantity {
  if (q.scale >= scale) return q;
  return { ...q, value: shrink(q.value, scale - q.scale), scale };
}

function scaledValue(q: Quantity, scale: number): number {
  const v = q.scale >= scale ? q.value * pow10(q.scale - scale) : shrink(q.value, scale - q.scale);
  return Number(v);
}

/** Value(): whole units, rounded away from zero. */
export const quantityValue = (q: Quantity) => scaledValue(q, 0);
/** MilliValue(): thousandths, rounded away from zero (CPU accounting). */
export const quantityMilliValue = (q: Quantity) => scaledValue(q, MILLI);

export const quantityFromMilli = (milli: number, format: QuantityFormat = 'DecimalSI'): Quantity => ({ value: BigInt(milli), scale: MILLI, format });
export const quantityFromValue = (value: number, format: QuantityFormat = 'DecimalSI'): Quantity => ({ value: BigInt(value), scale: 0, format });

function removeFactors(value: bigint, base: bigint): [bigint, number] {
  let times = 0;
  while (value !== 0n && value % base === 0n) {
    value /= base;
    times++;
  }
  return [value, times];
}

const decimalSuffixByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binarySuffixByExponent = new Map(Object.entries(binarySuffixes).map(([s, e]) => [e, s]));

/** String(): the canonical form, as CanonicalizeBytes produces it. */
export function formatQuantity(q: Quantity): string {
  if (q.value === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = compareQuantity(q, quantityFromValue(-1024)) > 0 && compareQuantity(q, quantityFromValue(1024)) < 0;
    const whole = q.scale >= 0 || q.value % pow10(-q.scale) === 0n;
    if (small || !whole) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    const whole = q.scale >= 0 ? q.value * pow10(q.scale) : q.value / pow10(-q.scale);
    const [amount, times] = removeFactors(whole, 1024n);
    return `${amount}${binarySuffixByExponent.get(times * 10) ?? ''}`;
  }
  const [whole10, times] = removeFactors(q.value, 10n);
  let amount = whole10;
  let exponent = q.scale + times;
  switch (exponent % 3) {
    case 1:
    case -2:
      amount *= 10n;
      exponent -= 1;
      break;
    case 2:
    case -1:
      amount *= 100n;
      exponent -= 2;
      break;
  }
  if (format === 'DecimalExponent') return exponent === 0 ? `${amount}` : `${amount}e${exponent}`;
  return `${amount}${decimalSuffixByExponent.get(exponent) ?? `e${exponent}`}`;
}

export const canonicalQuantity = (str: string) => formatQuantity(parseQuantity(str));

/** Accepts what JSON can carry for a quantity: a string, or a bare number as the API server also allows. */
export const toQuantity = (v: string | number) => parseQuantity(typeof v === 'number' ? String(v) : v);
