// The EndpointSlice controller (pkg/controller/endpointslice): for every Service with a selector, the
// discovery.k8s.io/v1 EndpointSlices `<service>-<random>` that list its pods with ready, serving and
// terminating conditions, owned by the Service.

import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { cacheKey, type Informer } from '../../client/informer.js';
import type { Stored } from '../../client/objects.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';
import { CONTROLLER_NAME, desiredGroups, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, planSlices, type Slice, type WireSlice } from './endpointslice.js';
import type { AddressType } from './pods.js';
import { managesEndpoints, podEndpointChanged, selectedPods, serviceKeysFor } from './services.js';
import { TriggerTimeTracker } from './trigger_time.js';
import { WrittenObjects } from '../../client/written.js';

const SERVICE_INDEX = 'endpointslice.service';
const WORKERS = 5;

function sliceServiceKeys(slice: WireSlice): string[] {
  const labels = slice.metadata?.labels ?? {};
  if (labels[LABEL_MANAGED_BY] !== CONTROLLER_NAME || !labels[LABEL_SERVICE_NAME]) return [];
  return [`${slice.metadata?.namespace}/${labels[LABEL_SERVICE_NAME]}`];
}

function addressTypes(svc: Service): AddressType[] {
  const families = (svc.spec?.ipFamilies ?? []).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6');
  return families.length ? families : ['IPv4'];
}

export class EndpointSliceController implements Controller {
  private client: Client;
  private recorder: EventRecorder;
  private queue: WorkQueue;
  private services: Informer<Service>;
  private pods: Informer<Pod>;
  private nodes: Informer<Node>;
  private slices: Informer<WireSlice>;
  private written: WrittenObjects;
  private triggerTimes = new TriggerTimeTracker();

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('endpoint-slice-controller');
    this.queue = new WorkQueue(ctx.clock, { name: 'endpoint_slice' });
    this.services = ctx.informers.get(REFS.services);
    this.pods = ctx.informers.get(REFS.pods);
    this.nodes = ctx.informers.get(REFS.nodes);
    this.slices = ctx.informers.get<WireSlice>(REFS.endpointslices);
    this.slices.addIndex(SERVICE_INDEX, sliceServiceKeys);
    this.written = new WrittenObjects(this.slices);
    const enqueueService = (svc: Stored<Service>) => this.queue.add(cacheKey(svc));
    this.services.addHandler({ add: enqueueService, update: (_o, svc) => enqueueService(svc), delete: enqueueService });
    this.pods.addHandler({
      add: (pod) => this.enqueuePod(pod, [pod.metadata.labels]),
      update: (old, pod) => {
        if (podEndpointChanged(old, pod)) this.enqueuePod(pod, [old.metadata.labels, pod.metadata.labels]);
      },
      delete: (pod) => this.enqueuePod(pod, [pod.metadata.labels]),
    });
    // Slices changed or deleted by someone else are put right.
    const enqueueSlice = (slice: WireSlice) => {
      for (const key of sliceServiceKeys(slice)) this.queue.add(key);
    };
    this.slices.addHandler({
      update: (_o, s) => {
        if (!this.written.isOwnWrite(s)) enqueueSlice(s);
      },
      delete: enqueueSlice,
    });
  }

  start(): void {
    runWorkers(this.queue, WORKERS, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private enqueuePod(pod: Stored<Pod>, labelSets: Array<Record<string, string> | undefined>): void {
    for (const key of serviceKeysFor(this.services, pod.metadata.namespace ?? '', labelSets)) this.queue.add(key);
  }

  /** The controller's live slices for a Service, as fresh as this controller knows them. */
  private currentSlices(key: string): Array<Stored<WireSlice>> {
    const fromInformer = this.slices.byIndex(SERVICE_INDEX, key).map((s): Stored<WireSlice> | undefined => this.written.fresh(s));
    const pending: Array<Stored<WireSlice>> = this.written.pending();
    return [...fromInformer, ...pending.filter((s) => sliceServiceKeys(s)[0] === key)].filter((s): s is Stored<WireSlice> => !!s && !s.metadata.deletionTimestamp);
  }

  private async sync(key: string): Promise<void> {
    const svc = this.services.get(key);
    if (!svc) {
      // Owner references let the garbage collector remove the slices; removing them here is quicker.
      const [namespace, name] = key.split('/');
      this.triggerTimes.delete(namespace, name);
      for (const s of this.currentSlices(key)) await this.deleteSlice(s);
      return;
    }
    if (!managesEndpoints(svc)) return;
    const pods = selectedPods(this.pods, svc);
    const triggerTime = this.triggerTimes.compute(svc, pods);
    const nodeLabels = (name: string) => this.nodes.getByName('', name)?.metadata?.labels;
    const existing = this.currentSlices(key);
    const families = addressTypes(svc);
    // Slices of an address type the Service no longer has go.
    for (const s of existing) if (!families.some((f) => f === s.addressType)) await this.deleteSlice(s);
    for (const family of families) {
      const plan = planSlices(svc, family, desiredGroups(svc, pods, family, nodeLabels), existing.filter((s) => s.addressType === family), triggerTime);
      const slices = this.client.resource<WireSlice>(REFS.endpointslices);
      try {
        for (const s of plan.create) this.written.remember(await slices.create(svc.metadata.namespace ?? '', s));
        for (const s of plan.update) this.written.remember(await slices.update(svc.metadata.namespace ?? '', s));
        for (const s of plan.delete) await this.deleteSlice(s);
      } catch (e) {
        this.recorder.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${(e as Error).message}`);
        throw e;
      }
    }
  }

  private async deleteSlice(slice: Slice): Promise<void> {
    try {
      await this.client.resource(REFS.endpointslices).delete(slice.metadata.namespace ?? '', slice.metadata.name ?? '');
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
    this.written.markDeleted(slice);
  }
}
