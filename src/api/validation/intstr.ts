// IntOrString checks shared by workloads and PodDisruptionBudgets (ValidatePositiveIntOrPercent and friends).
import { isValidPercent } from '../../machinery/names.js';
import { intOrStringValue, invalidRendered, nonNegative, type Errors } from './field.js';

export function validatePositiveIntOrPercent(v: unknown, path: string): Errors {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalidRendered(path, intOrStringValue(v), m));
  if (typeof v === 'number') return nonNegative(v, path);
  return [invalidRendered(path, intOrStringValue(v), "must be an integer or percentage (e.g '5%%')")];
}

function percentValue(v: unknown): number | undefined {
  return typeof v === 'string' && isValidPercent(v).length === 0 ? Number(v.slice(0, -1)) : undefined;
}

/** getIntOrPercentValue: the number, or the percentage without its sign. */
export function intOrPercentValue(v: unknown): number {
  return percentValue(v) ?? (typeof v === 'number' ? v : Number.parseInt(String(v ?? 0), 10) || 0);
}

export function isNotMoreThan100Percent(v: unknown, path: string): Errors {
  const percent = percentValue(v);
  return percent !== undefined && percent > 100 ? [invalidRendered(path, intOrStringValue(v), 'must not be greater than 100%')] : [];
}
