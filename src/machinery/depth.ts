// Nesting limits for request bodies, checked on the text before it is parsed, so no recursive step after
// parsing (clone, patch, validation, serialisation) can exhaust the stack. kube-apiserver's decoders stop
// at 10,000 levels (Go's encoding/json maxNestingDepth); k8ts stops at 1,000 because V8's structuredClone
// overflows its stack at about 1,900 levels. Kubernetes objects nest a few dozen levels deep.

export const MAX_NESTING_DEPTH = 1_000;

/** The deepest array/object nesting in a JSON text; brackets inside strings do not count. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * An upper bound of the nesting in a YAML text: per line, its indentation plus the block indicators
 * (`- `, `? `, `key: `) it opens, plus the flow brackets open at that point. Quoted scalars are skipped.
 * Real documents stay far below the limit; a hostile one (`- - - - ...`, `[[[[...`) cannot pass it.
 */
export function yamlDepthBound(text: string): number {
  let max = 0;
  let flow = 0;
  let quote = 0;
  let lineStart = true;
  let line = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      line = 0;
      continue;
    }
    if (quote) {
      if (quote === 0x22 && c === 0x5c) i++;
      else if (c === quote) quote = 0;
      continue;
    }
    if (lineStart && c === 0x20) {
      line++;
    } else {
      lineStart = false;
      if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x5b || c === 0x7b) flow++;
      else if ((c === 0x5d || c === 0x7d) && flow > 0) flow--;
      else if ((c === 0x2d || c === 0x3f || c === 0x3a) && text.charCodeAt(i + 1) === 0x20) line++;
      else if (c === 0x23 && (i === 0 || text.charCodeAt(i - 1) === 0x20)) {
        while (i + 1 < text.length && text.charCodeAt(i + 1) !== 0x0a) i++;
      }
    }
    if (line + flow > max) max = line + flow;
  }
  return max;
}

/** Whether a parsed value nests deeper than `max` (a YAML alias that contains itself nests without end). */
export function valueDepthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
