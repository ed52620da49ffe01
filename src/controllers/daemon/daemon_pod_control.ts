// Pod writes of the DaemonSet controller (RealPodControl.CreatePods/DeletePod in controller_utils.go),
// each recorded as an event on the set.

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { isStatusError } from '../../machinery/errors.js';
import { getPodFromTemplate, newControllerRef } from '../controller_utils.js';
import { DAEMON_SET_KIND } from './daemonset_history.js';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class DaemonPodControl {
  constructor(
    private client: Client,
    private recorder: EventRecorder,
  ) {}

  /** Create a pod `<ds>-xxxxx` from the template, owned by the set. */
  async createPod(ds: DaemonSet, template: PodTemplateSpec): Promise<Pod> {
    const pod = getPodFromTemplate(template, ds, newControllerRef(ds, DAEMON_SET_KIND));
    if (!Object.keys(pod.metadata?.labels ?? {}).length) throw new Error('unable to create pods, no labels');
    try {
      const created = await this.client.resource(REFS.pods).create(ds.metadata!.namespace!, pod);
      this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      return created;
    } catch (e) {
      this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${message(e)}`);
      throw e;
    }
  }

  /** Delete the pod; NotFound is passed on without an event. */
  async deletePod(ds: DaemonSet, name: string): Promise<void> {
    try {
      await this.client.resource(REFS.pods).delete(ds.metadata!.namespace!, name);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) this.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${message(e)}`);
      throw e;
    }
    this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }
}
