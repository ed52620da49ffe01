// Workload tables: StatefulSet, Deployment, ReplicaSet, ReplicationController, DaemonSet, ControllerRevision.

import { age, containerCells, formatLabelSelector, formatLabels, selectorText } from './format.js';
import { CONTAINERS_DESCRIPTION, IMAGES_DESCRIPTION, ageColumn, column, nameColumn, wide } from './columns.js';
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import type { TablePrinter } from './types.js';

const READY_DESCRIPTION = 'Number of the pod with ready state';

/** spec.replicas is defaulted to 1 by the API server. */
function desired(obj: { spec?: { replicas?: number } }): number {
  return obj.spec?.replicas ?? 1;
}

export const statefulSetPrinter: TablePrinter<Loose<StatefulSet>> = {
  columns: [
    nameColumn(),
    column('Ready', 'string', READY_DESCRIPTION),
    ageColumn(),
    wide('Containers', CONTAINERS_DESCRIPTION),
    wide('Images', IMAGES_DESCRIPTION),
  ],
  cells(obj, now) {
    return [
      obj.metadata?.name ?? '',
      `${obj.status?.readyReplicas ?? 0}/${desired(obj)}`,
      age(obj, now),
      ...containerCells(obj.spec?.template?.spec?.containers),
    ];
  },
};

export const deploymentPrinter: TablePrinter<Loose<Deployment>> = {
  columns: [
    nameColumn(),
    column('Ready', 'string', READY_DESCRIPTION),
    column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn(),
    wide('Containers', CONTAINERS_DESCRIPTION),
    wide('Images', IMAGES_DESCRIPTION),
    wide('Selector', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
  ],
  cells(obj, now) {
    const status = obj.status ?? {};
    return [
      obj.metadata?.name ?? '',
      `${status.readyReplicas ?? 0}/${desired(obj)}`,
      status.updatedReplicas ?? 0,
      status.availableReplicas ?? 0,
      age(obj, now),
      ...containerCells(obj.spec?.template?.spec?.containers),
      selectorText(obj.spec?.selector),
    ];
  },
};

interface ReplicasDescriptions {
  desired: string;
  current: string;
  ready: string;
  selector: string;
}

/** NAME DESIRED CURRENT READY AGE (+ CONTAINERS IMAGES SELECTOR): ReplicaSets and ReplicationControllers. */
function replicasPrinter<T extends Loose<ReplicaSet> | Loose<ReplicationController>>(d: ReplicasDescriptions, selector: (obj: T) => string): TablePrinter<T> {
  return {
    columns: [
      nameColumn(),
      column('Desired', 'integer', d.desired),
      column('Current', 'integer', d.current),
      column('Ready', 'integer', d.ready),
      ageColumn(),
      wide('Containers', CONTAINERS_DESCRIPTION),
      wide('Images', IMAGES_DESCRIPTION),
      wide('Selector', d.selector),
    ],
    cells(obj, now) {
      return [
        obj.metadata?.name ?? '',
        desired(obj),
        obj.status?.replicas ?? 0,
        obj.status?.readyReplicas ?? 0,
        age(obj, now),
        ...containerCells(obj.spec?.template?.spec?.containers),
        selector(obj),
      ];
    },
  };
}

export const replicaSetPrinter = replicasPrinter<Loose<ReplicaSet>>(
  {
    desired: 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
    current: 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
    ready: 'The number of ready replicas for this replica set.',
    selector: 'Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
  },
  (obj) => formatLabelSelector(obj.spec?.selector),
);

// A ReplicationController's selector is a plain label map.
export const replicationControllerPrinter = replicasPrinter<Loose<ReplicationController>>(
  {
    desired: 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller',
    current: 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller',
    ready: 'The number of ready replicas for this replication controller.',
    selector: 'Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
  },
  (obj) => formatLabels(obj.spec?.selector),
);

export const daemonSetPrinter: TablePrinter<Loose<DaemonSet>> = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
    column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
    column('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    column('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node\'s labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/'),
    ageColumn(),
    wide('Containers', CONTAINERS_DESCRIPTION),
    wide('Images', IMAGES_DESCRIPTION),
    wide('Selector', 'A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  cells(obj, now) {
    const status = obj.status ?? {};
    const podSpec = obj.spec?.template?.spec;
    return [
      obj.metadata?.name ?? '',
      status.desiredNumberScheduled ?? 0,
      status.currentNumberScheduled ?? 0,
      status.numberReady ?? 0,
      status.updatedNumberScheduled ?? 0,
      status.numberAvailable ?? 0,
      formatLabels(podSpec?.nodeSelector),
      age(obj, now),
      ...containerCells(podSpec?.containers),
      formatLabelSelector(obj.spec?.selector),
    ];
  },
};

/** formatResourceName of the controlling owner: `statefulset.apps/web`, or `<none>`. */
function controllerName(obj: Loose<ControllerRevision>): string | undefined {
  const ref = (obj.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion: string = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const kind: string = ref.kind ?? '';
  if (!kind && !group) return ref.name;
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name}`;
}

export const controllerRevisionPrinter: TablePrinter<Loose<ControllerRevision>> = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  cells(obj, now) {
    return [obj.metadata?.name ?? '', controllerName(obj), obj.revision ?? 0, age(obj, now)];
  },
};
