// Pod writes of the Job controller: pods built from the template (with the tracking finalizer and, for
// Indexed Jobs, the completion index), deletions, and removal of the tracking finalizer.

import type { Job } from 'kubernetes-types/batch/v1.js';
import type { EnvVar, Pod } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { isStatusError } from '../../machinery/errors.js';
import { getPodFromTemplate, newControllerRef } from '../controller_utils.js';
import { JOB_COMPLETION_INDEX, JOB_KIND, JOB_TRACKING_FINALIZER } from './job_utils.js';

const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** The pod for one more completion; `index` only for Indexed Jobs (addCompletionIndexAnnotation and friends). */
export function podForJob(job: Job, index: number | undefined): Pod {
  const pod = getPodFromTemplate(job.spec!.template, job, newControllerRef(job, JOB_KIND));
  const meta = pod.metadata!;
  meta.finalizers = [...(meta.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER), JOB_TRACKING_FINALIZER];
  if (index === undefined) return pod;
  const name = job.metadata!.name!;
  meta.generateName = `${name}-${index}-`;
  meta.annotations = { ...meta.annotations, [JOB_COMPLETION_INDEX]: `${index}` };
  meta.labels = { ...meta.labels, [JOB_COMPLETION_INDEX]: `${index}` };
  const spec = pod.spec!;
  if (!spec.hostname) spec.hostname = `${name}-${index}`;
  const env: EnvVar = { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } };
  const withEnv = <C extends { env?: EnvVar[] }>(c: C): C => (c.env?.some((e) => e.name === COMPLETION_INDEX_ENV) ? c : { ...c, env: [...(c.env ?? []), env] });
  spec.containers = spec.containers.map(withEnv);
  if (spec.initContainers) spec.initContainers = spec.initContainers.map(withEnv);
  return pod;
}

export class JobPodControl {
  constructor(
    private client: Client,
    private recorder: EventRecorder,
  ) {}

  private get pods() {
    return this.client.resource(REFS.pods);
  }

  async createPod(job: Job, index: number | undefined): Promise<Pod> {
    try {
      const pod = await this.pods.create(job.metadata!.namespace!, podForJob(job, index));
      this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      return pod;
    } catch (e) {
      this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
      throw e;
    }
  }

  /** Whether the pod was deleted by this call (NotFound: someone else did). */
  async deletePod(job: Job, pod: Pod): Promise<boolean> {
    try {
      await this.pods.delete(pod.metadata!.namespace!, pod.metadata!.name!);
      this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata!.name}`);
      return true;
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return false;
      this.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
      throw e;
    }
  }

  /** Remove the tracking finalizer; a pod that is gone counts as done. */
  async removeTrackingFinalizer(pod: Pod): Promise<void> {
    const finalizers = (pod.metadata?.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    try {
      await this.pods.patch(pod.metadata!.namespace!, pod.metadata!.name!, 'json', [
        { op: 'test', path: '/metadata/uid', value: pod.metadata!.uid },
        { op: 'replace', path: '/metadata/finalizers', value: finalizers },
      ]);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
