// The scale subresource (autoscaling/v1 Scale) of StatefulSet, Deployment, ReplicaSet and ReplicationController.

import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { ResourceInfo } from '../api/resources.js';
import { badRequest, fieldInvalid, invalid, optimisticLock } from '../machinery/errors.js';
import { fromLabelSelector, selectorString } from '../machinery/labels.js';
import { clone, isPlainObject } from '../machinery/objects.js';
import { patchSchemaFor } from '../api/patchmeta.js';
import type { KObject } from '../storage/store.js';
import type { PatchType, WriteOptions } from './options.js';
import { applyPatch } from './patch.js';
import type { Registry } from './rest.js';

/** The fields of a scalable kind that its Scale shows. */
interface Scalable extends KObject {
  spec?: { replicas?: number; selector?: LabelSelector | Record<string, string> };
  status?: { replicas?: number };
}

export function toScale(o: KObject): Scale {
  const obj = o as Scalable;
  const m = obj.metadata;
  // A ReplicationController's selector is a plain label map, not a LabelSelector.
  const selector = obj.kind === 'ReplicationController' ? { matchLabels: obj.spec?.selector as Record<string, string> | undefined } : (obj.spec?.selector as LabelSelector | undefined);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorString(fromLabelSelector(selector)) },
  };
}

export function getScale(reg: Registry, r: ResourceInfo, ns: string, name: string): Scale {
  return toScale(reg.get(r, ns, name));
}

export async function updateScale(reg: Registry, r: ResourceInfo, ns: string, name: string, body: unknown, opts: WriteOptions = {}): Promise<Scale> {
  if (!isPlainObject(body)) throw badRequest('the object provided is unrecognized (must be of type Scale)');
  const scale = body as Scale;
  const current = reg.get(r, ns, name);
  const rv = scale.metadata?.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) throw optimisticLock(r, name);
  const replicas = scale.spec?.replicas ?? 0;
  if (!Number.isInteger(replicas) || replicas < 0)
    throw invalid('Scale', 'autoscaling', name, [fieldInvalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
  const obj = clone(current) as Scalable;
  obj.spec!.replicas = replicas;
  return toScale(await reg.update(r, ns, name, obj, { ...opts, fieldValidation: 'Ignore' }));
}

export function patchScale(reg: Registry, r: ResourceInfo, ns: string, name: string, type: PatchType, body: string, opts: WriteOptions = {}): Promise<Scale> {
  return updateScale(reg, r, ns, name, applyPatch(getScale(reg, r, ns, name), type, body, patchSchemaFor('autoscaling/v1', 'Scale')), opts);
}
