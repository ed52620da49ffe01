// Root CA publisher (pkg/controller/certificates/rootcacertpublisher): every namespace holds the
// ConfigMap `kube-root-ca.crt` with the cluster CA, restored if it is changed or deleted.

import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { Stored } from '../../client/objects.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export class RootCACertPublisher implements Controller {
  private queue: WorkQueue;
  private client: Client;
  private namespaces: Informer<Namespace>;
  private configMaps: Informer<ConfigMap>;

  constructor(
    ctx: ControllerContext,
    private caPem: string,
  ) {
    this.client = ctx.client;
    this.queue = new WorkQueue(ctx.clock, { name: 'root_ca_cert_publisher' });
    this.namespaces = ctx.informers.get(REFS.namespaces);
    this.configMaps = ctx.informers.get(REFS.configmaps);
    this.namespaces.addHandler({ add: (ns) => this.queue.add(ns.metadata.name), update: (_o, ns) => this.queue.add(ns.metadata.name) });
    const onConfigMap = (cm: Stored<ConfigMap>) => {
      if (cm.metadata.name === ROOT_CA_CONFIGMAP && cm.metadata.namespace) this.queue.add(cm.metadata.namespace);
    };
    this.configMaps.addHandler({ update: (_o, cm) => onConfigMap(cm), delete: onConfigMap });
  }

  start(): void {
    runWorkers(this.queue, 1, (ns) => this.sync(ns));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private async sync(name: string): Promise<void> {
    const ns = this.namespaces.getByName('', name);
    if (!ns || ns.metadata.deletionTimestamp) return;
    const data = { 'ca.crt': this.caPem };
    const cm = this.configMaps.getByName(name, ROOT_CA_CONFIGMAP);
    try {
      if (!cm) {
        await this.client.resource(REFS.configmaps).create(name, { metadata: { name: ROOT_CA_CONFIGMAP, annotations: { 'kubernetes.io/description': DESCRIPTION } }, data });
      } else if (cm.data?.['ca.crt'] !== this.caPem || cm.metadata.annotations?.['kubernetes.io/description'] !== DESCRIPTION) {
        const next = structuredClone(cm);
        next.data = data;
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'kubernetes.io/description': DESCRIPTION };
        await this.client.resource(REFS.configmaps).update(name, next);
      }
    } catch (e) {
      // The namespace may be terminating, or someone else wrote it first; both are settled on the next event.
      if (!isStatusError(e, 'AlreadyExists') && !isStatusError(e, 'Forbidden') && !isStatusError(e, 'NotFound')) throw e;
    }
  }
}
