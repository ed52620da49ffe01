// Lifecycle hooks of a process container (postStart, preStop) as the kubelet's handler runner runs
// them: exec in the container, an HTTP GET to the pod, a TCP connect or a sleep. The result is the
// kubelet's message for FailedPostStartHook / FailedPreStopHook events, or undefined on success.

import type { LifecycleHandler as Handler } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../machinery/clock.js';
import { runProbe, type ProbeTarget } from './prober.js';

export type HookExec = (command: string[], timeoutMs: number) => Promise<{ code: number; output: string }>;

export async function runHook(clock: Clock, handler: Handler, target: ProbeTarget, exec: HookExec, timeoutMs: number): Promise<string | undefined> {
  if (handler.sleep) {
    await clock.sleep(Math.min(handler.sleep.seconds * 1000, timeoutMs));
    return undefined;
  }
  if (handler.exec?.command?.length) {
    const r = await exec(handler.exec.command, timeoutMs);
    if (r.code === 0) return undefined;
    const cmd = handler.exec.command.join(' ');
    return `Exec lifecycle hook ([${cmd}]) failed - error: command '${cmd}' exited with ${r.code}: ${r.output}`;
  }
  const probe = handler.httpGet ? { httpGet: handler.httpGet } : handler.tcpSocket ? { tcpSocket: handler.tcpSocket } : undefined;
  if (!probe) return undefined;
  const r = await runProbe({ ...probe, timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)) }, target, { exec });
  return r.ok ? undefined : `${handler.httpGet ? 'HTTP' : 'TCP'} lifecycle hook failed - error: ${r.message}`;
}
