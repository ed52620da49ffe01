// pods/binding: the scheduler's write of spec.nodeName (pkg/registry/core/pod/storage BindingREST).

import type { Binding, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Status } from 'kubernetes-types/meta/v1.js';
import { lookupResource } from '../api/resources.js';
import { rfc3339 } from '../machinery/clock.js';
import { badRequest, conflict } from '../machinery/errors.js';
import { clone } from '../machinery/objects.js';
import type { KObject } from '../storage/store.js';
import type { Registry } from './rest.js';

const PODS = lookupResource('', 'v1', 'pods')!;

export async function bindPod(reg: Registry, ns: string, name: string, body: unknown): Promise<Status> {
  const binding = body as Binding | undefined;
  const node = binding?.target?.name;
  if (!node) throw badRequest('Binding.target.name must be set');
  const pod = reg.get(PODS, ns, name) as Pod & KObject;
  if (pod.metadata.deletionTimestamp) throw conflict(PODS, name, `pod ${name} is being deleted, cannot be assigned to a host`);
  if (pod.spec!.nodeName) throw conflict(PODS, name, `pod ${name} is already assigned to node "${pod.spec!.nodeName}"`);
  const next = clone(pod);
  next.spec!.nodeName = node;
  const annotations = binding!.metadata?.annotations;
  if (annotations) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...annotations };
  const now = rfc3339(reg.clock.now());
  const conditions = (next.status!.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
  // lastProbeTime is written as null, as the real server does.
  conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now } as unknown as PodCondition);
  next.status!.conditions = conditions;
  await reg.writeRead(PODS, ns, name, next, Number(pod.metadata.resourceVersion));
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
