// apiequality.Semantic.DeepEqual for JSON documents: unset, null, empty strings, empty lists and empty maps
// all count as the zero value, as nil and empty do upstream.

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).every((k) => isEmpty((v as Record<string, unknown>)[k]));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((x, i) => deepEqual(x, other[i]));
  }
  if (a && b && typeof a === 'object') {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    return [...new Set([...Object.keys(x), ...Object.keys(y)])].every((k) => deepEqual(x[k], y[k]));
  }
  return a === b;
}

/** Top-level fields that differ, for the diff upstream appends to "may not change" messages. */
export function describeDiff(typeName: string, before: Record<string, unknown>, after: Record<string, unknown>): string {
  const lines = [`  ${typeName}{`];
  for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (deepEqual(before[k], after[k])) continue;
    lines.push(`- \t${k}: ${JSON.stringify(before[k] ?? null)},`, `+ \t${k}: ${JSON.stringify(after[k] ?? null)},`);
  }
  lines.push('  }', '');
  return lines.join('\n');
}
