// The controller manager: every controller of the control plane on one shared informer factory.

import type { Client } from '../client/client.js';
import { InformerFactory } from '../client/informerfactory.js';
import { makeContext, type Controller, type ControllerContext } from '../controllers/context.js';
import { EndpointsController, EndpointSliceController } from '../controllers/endpoints/index.js';
import { GarbageCollector } from '../controllers/garbagecollector/garbagecollector.js';
import { NamespaceController } from '../controllers/namespace/namespace_controller.js';
import { RootCACertPublisher } from '../controllers/rootcacertpublisher/publisher.js';
import { StatefulSetController } from '../controllers/statefulset/stateful_set.js';
import { ensureDefaultStorageClass, PersistentVolumeController } from '../controllers/volume/index.js';
import type { Clock } from '../machinery/clock.js';
import { Scheduler } from '../scheduler/scheduler.js';

export interface ControlPlane {
  ctx: ControllerContext;
  informers: InformerFactory;
  stop(): void;
}

export interface ControlPlaneOptions {
  dataDir: string;
  /** The cluster CA, published to every namespace as `kube-root-ca.crt`. */
  caPem: string;
  /** Extra components sharing the informers (scheduler, kubelets), built once the context exists. */
  extra?: (ctx: ControllerContext) => Controller[];
}

export async function startControlPlane(client: Client, clock: Clock, opts: ControlPlaneOptions): Promise<ControlPlane> {
  const informers = new InformerFactory(client, clock);
  const ctx = makeContext(client, informers, clock);
  await ensureDefaultStorageClass(client);
  const controllers: Controller[] = [
    new NamespaceController(ctx),
    new RootCACertPublisher(ctx, opts.caPem),
    new GarbageCollector(ctx),
    new StatefulSetController(ctx),
    new PersistentVolumeController(ctx, { dataDir: opts.dataDir }),
    new EndpointsController(ctx),
    new EndpointSliceController(ctx),
    new Scheduler(ctx),
    ...(opts.extra?.(ctx) ?? []),
  ];
  informers.start();
  for (const c of controllers) c.start();
  return {
    ctx,
    informers,
    stop() {
      for (const c of controllers) c.stop();
      informers.stop();
    },
  };
}
