// The sim.k8ts.io/* annotations that script a simulated pod, read from the pod (which copies them
// from its template) every time they change.

import { parseDuration } from '../../machinery/durationparse.js';

export const READY = 'sim.k8ts.io/ready';
export const EXIT_CODE = 'sim.k8ts.io/exit-code';
export const START_DELAY = 'sim.k8ts.io/start-delay';
export const STOP_DELAY = 'sim.k8ts.io/stop-delay';
export const RUN_TIME = 'sim.k8ts.io/run-time';

export interface SimScript {
  /** Whether readiness checks pass. */
  ready: boolean;
  /** The exit code the first regular container terminates with, if scripted. */
  exitCode?: number;
  /** How long the first regular container runs before it exits (with exitCode, 0 if none is scripted). */
  runTimeMs?: number;
  startDelayMs: number;
  stopDelayMs: number;
  /** Annotations that could not be read, as log lines; they are ignored. */
  problems: string[];
}

export function readScript(annotations: Record<string, string>, defaults: { startDelayMs: number; stopDelayMs: number; runTimeMs?: number }): SimScript {
  const problems: string[] = [];
  const ready = annotations[READY];
  if (ready !== undefined && ready !== 'true' && ready !== 'false') problems.push(`ignoring ${READY}=${JSON.stringify(ready)}: must be "true" or "false"`);
  const script: SimScript = {
    ready: ready !== 'false',
    startDelayMs: delay(annotations, START_DELAY, defaults.startDelayMs, problems),
    stopDelayMs: delay(annotations, STOP_DELAY, defaults.stopDelayMs, problems),
    problems,
  };
  const code = annotations[EXIT_CODE];
  if (code !== undefined) {
    if (/^\d{1,3}$/.test(code.trim()) && Number(code) <= 255) script.exitCode = Number(code);
    else problems.push(`ignoring ${EXIT_CODE}=${JSON.stringify(code)}: must be an integer from 0 to 255`);
  }
  const runTime = annotations[RUN_TIME] !== undefined ? delay(annotations, RUN_TIME, -1, problems) : (defaults.runTimeMs ?? -1);
  if (runTime >= 0) {
    script.runTimeMs = runTime;
    script.exitCode ??= 0;
  }
  return script;
}

function delay(annotations: Record<string, string>, key: string, fallback: number, problems: string[]): number {
  const text = annotations[key];
  if (text === undefined) return fallback;
  try {
    const ms = parseDuration(text.trim());
    if (ms >= 0) return ms;
    problems.push(`ignoring ${key}=${JSON.stringify(text)}: must not be negative`);
  } catch (e) {
    problems.push(`ignoring ${key}=${JSON.stringify(text)}: ${(e as Error).message}`);
  }
  return fallback;
}

/** Why readiness fails, in the words of a probe result. */
export const NOT_READY_MESSAGE = `${READY} is "false"`;
