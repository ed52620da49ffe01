// How the command line reports failures: one `k8ts: error: ...` line, and exit codes a script can tell apart.

/** Bad flags or arguments (exit 2, as getopt-style tools do). */
export const EXIT_USAGE = 2;
/** The command was well formed but failed (exit 1). */
export const EXIT_FAILURE = 1;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Writes err as a single line to stderr; with K8TS_DEBUG=1 the stack follows for developers. */
export function printError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`k8ts: error: ${oneLine(message)}\n`);
  if (process.env.K8TS_DEBUG === '1' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
}

export function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}
