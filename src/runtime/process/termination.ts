// How a container's end is reported: its termination message (the file at terminationMessagePath, or
// the log tail with FallbackToLogsOnError), and the cgroup limits its resources imply.

import { readFile } from 'node:fs/promises';
import type { Container, ResourceRequirements } from 'kubernetes-types/core/v1.js';
import { parseQuantity, type Quantity } from '../../machinery/quantity.js';
import type { ContainerLog } from '../logstore.js';
import type { ContainerLimits } from './cgroups.js';

/** The kubelet's limits: 4096 bytes of message, 80 lines / 2048 bytes of log for the fallback. */
const MAX_MESSAGE_BYTES = 4096;
const FALLBACK_LINES = 80;
const FALLBACK_BYTES = 2048;

export async function terminationMessage(hostFile: string, spec: Container | undefined, exitCode: number, log: ContainerLog): Promise<string | undefined> {
  const text = (await readFile(hostFile)).subarray(0, MAX_MESSAGE_BYTES).toString();
  if (text) return text;
  if (spec?.terminationMessagePolicy !== 'FallbackToLogsOnError' || exitCode === 0) return undefined;
  let tail = '';
  for await (const line of log.read({ tailLines: FALLBACK_LINES })) tail += line;
  return Buffer.from(tail).subarray(-FALLBACK_BYTES).toString() || undefined;
}

function toNumber(q: Quantity, scale = 0): number {
  return Number(q.value) * 10 ** (q.scale + scale);
}

export function containerLimits(resources: ResourceRequirements | undefined): ContainerLimits {
  const out: ContainerLimits = {};
  const mem = resources?.limits?.memory;
  const cpu = resources?.limits?.cpu;
  const cpuRequest = resources?.requests?.cpu;
  if (mem !== undefined) out.memoryBytes = Math.ceil(toNumber(parseQuantity(String(mem))));
  if (cpu !== undefined) out.cpuMillis = Math.ceil(toNumber(parseQuantity(String(cpu)), 3));
  if (cpuRequest !== undefined) out.cpuRequestMillis = Math.ceil(toNumber(parseQuantity(String(cpuRequest)), 3));
  return out;
}
