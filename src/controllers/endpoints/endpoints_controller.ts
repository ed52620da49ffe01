// The Endpoints controller (pkg/controller/endpoint): for every Service with a selector, an Endpoints
// object of the same name listing the selected pods' addresses, ready and not ready, per port.

import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { cacheKey, type Informer } from '../../client/informer.js';
import type { Stored } from '../../client/objects.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { isStatusError } from '../../machinery/errors.js';
import { deepEqual } from '../../machinery/objects.js';
import type { Controller, ControllerContext } from '../context.js';
import { HEADLESS_LABEL, isHeadless } from './pods.js';
import { managesEndpoints, podEndpointChanged, selectedPods, serviceKeysFor } from './services.js';
import { desiredSubsets } from './subsets.js';
import { LAST_CHANGE_TRIGGER_TIME, TriggerTimeTracker } from './trigger_time.js';
import { WrittenObjects } from '../../client/written.js';

const WORKERS = 5;
// Old leader election kept its record on an Endpoints object without a Service; those stay.
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/** The Endpoints labels: the Service's, plus the headless marker for a Service without a cluster IP. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  delete labels[HEADLESS_LABEL];
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}

export class EndpointsController implements Controller {
  private client: Client;
  private recorder: EventRecorder;
  private queue: WorkQueue;
  private services: Informer<Service>;
  private pods: Informer<Pod>;
  private endpoints: Informer<Endpoints>;
  private written: WrittenObjects;
  private triggerTimes = new TriggerTimeTracker();

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('endpoint-controller');
    this.queue = new WorkQueue(ctx.clock, { name: 'endpoint' });
    this.services = ctx.informers.get(REFS.services);
    this.pods = ctx.informers.get(REFS.pods);
    this.endpoints = ctx.informers.get(REFS.endpoints);
    this.written = new WrittenObjects(this.endpoints);
    const enqueueService = (svc: Stored<Service>) => this.queue.add(cacheKey(svc));
    this.services.addHandler({ add: enqueueService, update: (_o, svc) => enqueueService(svc), delete: enqueueService });
    this.pods.addHandler({
      add: (pod) => this.enqueuePod(pod, [pod.metadata.labels]),
      update: (old, pod) => {
        if (podEndpointChanged(old, pod)) this.enqueuePod(pod, [old.metadata.labels, pod.metadata.labels]);
      },
      delete: (pod) => this.enqueuePod(pod, [pod.metadata.labels]),
    });
    // An Endpoints object deleted by hand is put back.
    this.endpoints.addHandler({ delete: (ep) => this.queue.add(cacheKey(ep)) });
  }

  start(): void {
    runWorkers(this.queue, WORKERS, (key) => this.sync(key));
    void this.endpoints.waitForSync().then(() => this.checkLeftoverEndpoints());
  }

  /** Once at start: Endpoints whose Service went while the controller was down are removed. */
  private checkLeftoverEndpoints(): void {
    for (const ep of this.endpoints.list()) {
      if (ep.metadata.annotations?.[LEADER_ANNOTATION] === undefined) this.queue.add(cacheKey(ep));
    }
  }

  stop(): void {
    this.queue.shutdown();
  }

  private enqueuePod(pod: Stored<Pod>, labelSets: Array<Record<string, string> | undefined>): void {
    for (const key of serviceKeysFor(this.services, pod.metadata.namespace ?? '', labelSets)) this.queue.add(key);
  }

  private async sync(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const svc = this.services.get(key);
    if (!svc) {
      this.triggerTimes.delete(namespace, name);
      const ep: Stored<Endpoints> | undefined = this.written.get(key);
      if (!ep) return;
      try {
        await this.client.resource(REFS.endpoints).delete(namespace, name);
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
      this.written.markDeleted(ep);
      return;
    }
    if (!managesEndpoints(svc)) return;
    const pods = selectedPods(this.pods, svc);
    const triggerTime = this.triggerTimes.compute(svc, pods);
    const subsets = desiredSubsets(svc, pods);
    const labels = endpointsLabels(svc);
    const current: Stored<Endpoints> | undefined = this.written.get(key);
    if (current && deepEqual(current.subsets ?? [], subsets) && deepEqual(current.metadata.labels ?? {}, labels)) return;

    const next: Endpoints & { metadata: ObjectMeta } = current ? structuredClone(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.metadata.labels = labels;
    const annotations = { ...(next.metadata.annotations ?? {}) };
    if (triggerTime) annotations[LAST_CHANGE_TRIGGER_TIME] = triggerTime;
    else delete annotations[LAST_CHANGE_TRIGGER_TIME];
    if (Object.keys(annotations).length) next.metadata.annotations = annotations;
    else delete next.metadata.annotations;
    if (subsets.length) next.subsets = subsets;
    else delete next.subsets;
    try {
      const endpoints = this.client.resource(REFS.endpoints);
      const saved = current ? await endpoints.update(namespace, next) : await endpoints.create(namespace, next);
      this.written.remember(saved);
    } catch (e) {
      if (isStatusError(e, 'NotFound') && !current) return;
      const reason = current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint';
      const msg = current ? `Failed to update endpoint ${key}: ${(e as Error).message}` : `Failed to create endpoint for service ${key}: ${(e as Error).message}`;
      this.recorder.event(next, 'Warning', reason, msg);
      throw e;
    }
  }
}
