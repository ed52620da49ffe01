// RealPodControl's CreatePods and DeletePod (controller_utils.go): the ReplicaSet controller's writes to
// pods, each with the event upstream records on the set.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { KubeObject } from '../../client/objects.js';
import { isStatusError } from '../../machinery/errors.js';
import { getPodFromTemplate, newControllerRef, type GroupVersionKind } from '../controller_utils.js';
import { errorMessage, type ReplicaSetLike } from './replica_set_utils.js';

/** v1.NamespaceTerminatingCause: a create refused because the namespace is going away. */
export const isNamespaceTerminating = (e: unknown): boolean =>
  isStatusError(e) && !!e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');

export class PodControl {
  constructor(
    private client: Client,
    private recorder: EventRecorder,
  ) {}

  /** Create one pod from the set's template, owned by the set. */
  async createPod(set: ReplicaSetLike, kind: GroupVersionKind): Promise<Pod> {
    const pod = getPodFromTemplate(set.spec!.template!, set, newControllerRef(set, kind));
    if (!Object.keys(pod.metadata?.labels ?? {}).length) throw new Error('unable to create pods, no labels');
    let created: Pod;
    try {
      created = await this.client.resource(REFS.pods).create(set.metadata!.namespace!, pod);
    } catch (e) {
      if (!isNamespaceTerminating(e)) this.recorder.event(set as KubeObject, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(e)}`);
      throw e;
    }
    this.recorder.event(set as KubeObject, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata!.name}`);
    return created;
  }

  /** Delete a pod; NotFound is passed on without an event (someone else deleted it). */
  async deletePod(set: ReplicaSetLike, namespace: string, name: string): Promise<void> {
    try {
      await this.client.resource(REFS.pods).delete(namespace, name);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) throw e;
      this.recorder.event(set as KubeObject, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(e)}`);
      throw new Error(`unable to delete pods: ${errorMessage(e)}`);
    }
    this.recorder.event(set as KubeObject, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }
}
