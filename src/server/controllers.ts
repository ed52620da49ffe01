// The components that act on the cluster, each group on its own informer factory as separate
// processes would be: the controller manager (with the nodes of this process) and the scheduler. As
// kube-controller-manager with --use-service-account-credentials, its informers list and watch as
// `system:kube-controller-manager` and each controller writes as its own service account in
// kube-system, so what it may do is what its `system:controller:<name>` role grants. Each group is
// started afresh whenever this server wins its lease (leaderelected.ts).

import type { UserInfo } from '../apiserver/authentication/user.js';
import type { Client } from '../client/client.js';
import { InformerFactory } from '../client/informerfactory.js';
import { makeContext, type Controller, type ControllerContext } from '../controllers/context.js';
import { ClusterRoleAggregationController } from '../controllers/clusterroleaggregation/clusterrole_aggregation_controller.js';
import { EndpointsController, EndpointSliceController } from '../controllers/endpoints/index.js';
import { GarbageCollector } from '../controllers/garbagecollector/garbagecollector.js';
import { NamespaceController } from '../controllers/namespace/namespace_controller.js';
import { RootCACertPublisher } from '../controllers/rootcacertpublisher/publisher.js';
import { LoadBalancerController, type AddressPool } from '../controllers/service/loadbalancer_controller.js';
import { ServiceAccountsController } from '../controllers/serviceaccount/serviceaccounts_controller.js';
import { TokensController, type TokensControllerOptions } from '../controllers/serviceaccount/tokens_controller.js';
import { CronJobController } from '../controllers/cronjob/cronjob_controller.js';
import { DaemonSetController } from '../controllers/daemon/daemon_controller.js';
import { DisruptionController } from '../controllers/disruption/disruption_controller.js';
import { NodeLifecycleController, type NodeLifecycleOptions } from '../controllers/nodelifecycle/node_lifecycle_controller.js';
import { TaintEvictionController } from '../controllers/nodelifecycle/taint_eviction.js';
import { PodGCController } from '../controllers/podgc/pod_gc_controller.js';
import { DeploymentController } from '../controllers/deployment/deployment_controller.js';
import { JobController } from '../controllers/job/job_controller.js';
import { TTLAfterFinishedController } from '../controllers/job/ttl_after_finished.js';
import { ReplicaSetController } from '../controllers/replicaset/replica_set.js';
import { ResourceQuotaController } from '../controllers/resourcequota/resource_quota_controller.js';
import { StatefulSetController } from '../controllers/statefulset/stateful_set.js';
import { ensureDefaultStorageClass, PersistentVolumeController } from '../controllers/volume/index.js';
import type { Clock } from '../machinery/clock.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { ADMIN, CONTROLLER_MANAGER, controllerUser, SCHEDULER } from './identities.js';
import type { Launch, Running } from './leaderelected.js';

export interface ControllerManagerOptions {
  dataDir: string;
  /** The cluster CA, published to every namespace as `kube-root-ca.crt`. */
  caPem: string;
  /** Signs the token of a legacy service-account token Secret. */
  signLegacyToken: TokensControllerOptions['sign'];
  /** Addresses for LoadBalancer Services; undefined: no built-in load balancer. */
  loadBalancerPool?: AddressPool;
  nodeLifecycle?: NodeLifecycleOptions;
  /** Extra components sharing the informers (kubelets), given a context per identity. */
  extra?: (contextFor: (user: UserInfo) => ControllerContext) => Controller[];
}

/**
 * Informers start once every controller registered its handlers, and controllers once the informers
 * have synced (WaitForCacheSync), so a new leader never acts on a partial view of the cluster.
 * Stopping stops the controllers first.
 */
async function run(informers: InformerFactory, controllers: Controller[]): Promise<Running> {
  informers.start();
  await informers.waitForSync();
  for (const c of controllers) c.start();
  return {
    stop() {
      for (const c of controllers) c.stop();
      informers.stop();
    },
  };
}

export function controllerManager(clientFor: (user: UserInfo) => Client, clock: Clock, opts: ControllerManagerOptions): Launch {
  return async () => {
    const informers = new InformerFactory(clientFor(CONTROLLER_MANAGER), clock);
    const contextFor = (user: UserInfo) => makeContext(clientFor(user), informers, clock);
    const as = (name: string) => contextFor(controllerUser(name));
    // The default StorageClass is an addon on a real cluster (installed with admin rights), not a controller's.
    await ensureDefaultStorageClass(clientFor(ADMIN));
    return run(informers, [
      new NamespaceController(as('namespace-controller')),
      new ServiceAccountsController(as('service-account-controller')),
      // The tokens controller runs with kube-controller-manager's own credentials, as upstream.
      new TokensController(contextFor(CONTROLLER_MANAGER), { caPem: opts.caPem, sign: opts.signLegacyToken }),
      new RootCACertPublisher(as('root-ca-cert-publisher'), opts.caPem),
      new GarbageCollector(as('generic-garbage-collector')),
      new StatefulSetController(as('statefulset-controller')),
      new ReplicaSetController(as('replicaset-controller')),
      new ReplicaSetController(as('replication-controller'), 'ReplicationController'),
      new DeploymentController(as('deployment-controller')),
      new DaemonSetController(as('daemon-set-controller')),
      new DisruptionController(as('disruption-controller')),
      new NodeLifecycleController(as('node-controller'), opts.nodeLifecycle),
      // Upstream's taint-eviction-controller runs with the node controller's role.
      new TaintEvictionController(as('node-controller')),
      new PodGCController(as('pod-garbage-collector')),
      new JobController(as('job-controller')),
      new TTLAfterFinishedController(as('ttl-after-finished-controller')),
      new CronJobController(as('cronjob-controller')),
      new ResourceQuotaController(as('resourcequota-controller')),
      new PersistentVolumeController(as('persistent-volume-binder'), { dataDir: opts.dataDir }),
      new EndpointsController(as('endpoint-controller')),
      new EndpointSliceController(as('endpointslice-controller')),
      new ClusterRoleAggregationController(as('clusterrole-aggregation-controller')),
      ...(opts.loadBalancerPool ? [new LoadBalancerController(as('service-controller'), opts.loadBalancerPool)] : []),
      ...(opts.extra?.(contextFor) ?? []),
    ]);
  };
}

export function scheduler(clientFor: (user: UserInfo) => Client, clock: Clock): Launch {
  return async () => {
    const informers = new InformerFactory(clientFor(SCHEDULER), clock);
    return run(informers, [new Scheduler(makeContext(clientFor(SCHEDULER), informers, clock))]);
  };
}
