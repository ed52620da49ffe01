// Per-resource behaviour on top of the generic REST store: what create/update reset, which fields
// field selectors can use, which kinds have a generation, graceful deletion.

import { deepEqual } from '../machinery/objects.js';
import type { FieldGetter } from '../machinery/fields.js';
import type { Event, Namespace, Node, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../machinery/errors.js';
import type { KObject } from '../storage/store.js';
import { generateJobSelector } from '../api/defaults/index.js';
import { serviceStrategy } from './service.js';
import { notKnownSystemPriorityClass } from '../api/scheduling/priorityclasses.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';

export interface Strategy {
  /** Status written at create time is kept (Node: the kubelet registers with its status). */
  keepStatusOnCreate?: boolean;
  /** Kinds with a spec whose changes bump metadata.generation. */
  generation?: boolean;
  /** Extra field-selector fields beyond metadata.name / metadata.namespace. */
  fields?: Record<string, FieldGetter<KObject>>;
  /** Set fields the server owns on create (after defaulting), e.g. initial status; admission mutations. */
  prepareForCreate?(obj: KObject, ctx: StrategyContext): void;
  /** Carry server-owned fields from the stored object into an update (allocated IPs, say). */
  prepareForUpdate?(obj: KObject, old: KObject): void;
  /** Server-side checks that need more than the object itself (allocations, uniqueness). */
  validateCreate?(obj: KObject, ctx: StrategyContext): FieldError[];
  /** Allocate resources such as service cluster IPs, after validation. */
  allocate?(obj: KObject, ctx: StrategyContext): void;
  /** Why this object may not be deleted at all, if it may not (the system PriorityClasses). */
  refuseDelete?(obj: KObject): string | undefined;
  /** Seconds of grace for a delete, or 0 to remove at once. */
  gracePeriod?(obj: KObject, requested: number | undefined): number;
  /** A status write may change annotations too (deploymentStatusStrategy keeps only spec and labels). */
  statusWritesAnnotations?: boolean;
}

export interface StrategyContext {
  /** Every stored object of a resource, for allocators that must see what is taken. */
  list(resource: string): KObject[];
}

/** Field getters of one kind, applied to stored objects of that kind only. */
function fieldsOf<T>(getters: Record<string, FieldGetter<T>>): Record<string, FieldGetter<KObject>> {
  return getters as unknown as Record<string, FieldGetter<KObject>>;
}

const podFields = fieldsOf<Pod>({
  'spec.nodeName': (p) => p.spec?.nodeName ?? '',
  'spec.restartPolicy': (p) => p.spec?.restartPolicy ?? '',
  'spec.schedulerName': (p) => p.spec?.schedulerName ?? '',
  'spec.serviceAccountName': (p) => p.spec?.serviceAccountName ?? '',
  'spec.hostNetwork': (p) => String(p.spec?.hostNetwork ?? false),
  'status.phase': (p) => p.status?.phase ?? '',
  'status.podIP': (p) => p.status?.podIP ?? '',
  'status.nominatedNodeName': (p) => p.status?.nominatedNodeName ?? '',
});

const eventFields = fieldsOf<Event>({
  'involvedObject.kind': (e) => e.involvedObject?.kind,
  'involvedObject.namespace': (e) => e.involvedObject?.namespace,
  'involvedObject.name': (e) => e.involvedObject?.name,
  'involvedObject.uid': (e) => e.involvedObject?.uid,
  'involvedObject.apiVersion': (e) => e.involvedObject?.apiVersion,
  'involvedObject.resourceVersion': (e) => e.involvedObject?.resourceVersion,
  'involvedObject.fieldPath': (e) => e.involvedObject?.fieldPath,
  reason: (e) => e.reason,
  reportingComponent: (e) => e.reportingComponent,
  source: (e) => e.source?.component,
  type: (e) => e.type,
});

function podQOS(pod: Pod): string {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req: Record<string, string> = c.resources?.requests ?? {};
    const lim: Record<string, string> = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export const STRATEGIES: Record<string, Strategy> = {
  pods: {
    fields: podFields,
    prepareForCreate(pod) {
      pod.status = { phase: 'Pending', qosClass: podQOS(pod as Pod) };
    },
    gracePeriod(obj, requested) {
      const pod = obj as Pod;
      // Unscheduled and finished pods have nothing to stop (registry/core/pod/strategy.go CheckGracefulDelete).
      if (!pod.spec?.nodeName) return 0;
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
      return requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    },
  },
  events: { fields: eventFields },
  services: {
    ...serviceStrategy,
    prepareForCreate(svc) {
      svc.status = { loadBalancer: {} };
    },
  },
  namespaces: {
    fields: fieldsOf<Namespace>({ 'status.phase': (n) => n.status?.phase ?? '' }),
    prepareForCreate(ns) {
      ns.spec = { finalizers: ['kubernetes'] };
      ns.status = { phase: 'Active' };
    },
  },
  nodes: { keepStatusOnCreate: true, fields: fieldsOf<Node>({ 'spec.unschedulable': (n) => String(n.spec?.unschedulable ?? false) }) },
  persistentvolumeclaims: {
    prepareForCreate(pvc) {
      pvc.status = { phase: 'Pending' };
    },
  },
  persistentvolumes: {
    prepareForCreate(pv) {
      pv.status = { phase: 'Pending' };
    },
  },
  secrets: {
    fields: fieldsOf<Secret>({ type: (s) => s.type ?? '' }),
    prepareForCreate: mergeStringData,
    prepareForUpdate: mergeStringData,
  },
  'batch/jobs': { generation: true, prepareForCreate: (job) => generateJobSelector(job as Parameters<typeof generateJobSelector>[0]) },
  replicationcontrollers: { generation: true },
  'apps/statefulsets': { generation: true },
  // The deployment controller records its revision annotation with UpdateStatus, as upstream.
  'apps/deployments': { generation: true, statusWritesAnnotations: true },
  'apps/replicasets': { generation: true },
  'apps/daemonsets': { generation: true, prepareForCreate: (ds) => setTemplateGeneration(ds, 1), prepareForUpdate: bumpTemplateGeneration },
  'batch/cronjobs': { generation: true },
  'policy/poddisruptionbudgets': { generation: true },
  'networking.k8s.io/ingresses': { generation: true },
  'scheduling.k8s.io/priorityclasses': { refuseDelete: refuseSystemPriorityClassDelete },
};

/** Upstream's priorityclass REST Delete: the two system classes stay. */
function refuseSystemPriorityClassDelete(obj: KObject): string | undefined {
  const pc = obj as unknown as PriorityClass;
  return notKnownSystemPriorityClass(pc.metadata?.name ?? '', pc.value, pc.globalDefault ?? false) === undefined ? 'this is a system priority class and cannot be deleted' : undefined;
}

/** Secrets accept `stringData` as a write-only convenience merged into base64 `data`. */
function mergeStringData(obj: KObject): void {
  const secret = obj as Secret & { data?: Record<string, string> };
  if (!secret.stringData) return;
  secret.data ??= {};
  for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  delete secret.stringData;
}

export function strategyFor(resourceKey: string): Strategy {
  return STRATEGIES[resourceKey] ?? {};
}

/**
 * DaemonSets count template changes in the `deprecated.daemonset.template.generation` annotation (the
 * v1 form of extensions' spec.templateGeneration), which their pods carry as `pod-template-generation`.
 */
const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

function setTemplateGeneration(ds: KObject, generation: number): void {
  ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: String(generation) };
}

function bumpTemplateGeneration(ds: KObject, old: KObject): void {
  const previous = Number(old.metadata.annotations?.[TEMPLATE_GENERATION] ?? 0) || 0;
  const template = (o: KObject) => (o.spec as { template?: unknown } | undefined)?.template;
  setTemplateGeneration(ds, deepEqual(template(ds), template(old)) ? Math.max(previous, 1) : previous + 1);
}
