// Test support for the Job controller tests: a controller on an in-memory cluster with a VirtualClock, and
// what a kubelet would write when a job's pod runs or ends (no kubelets run in unit tests).

import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { REFS } from '../../client/client.js';
import { rfc3339, VirtualClock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { testCluster, waitFor, type TestCluster } from '../../testing/fixture.js';
import type { Controller } from '../context.js';
import { JobController } from './job_controller.js';
import { TTLAfterFinishedController } from './ttl_after_finished.js';

export const NS = 'default';

export function piJob(spec: Partial<JobSpec> = {}, name = 'pi'): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34.0', command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'] }], restartPolicy: 'Never' } },
      ...spec,
    },
  };
}

export interface JobHarness {
  cluster: TestCluster;
  clock: VirtualClock;
  stop(): void;
}

export async function startJobController(opts: { ttl?: boolean } = {}): Promise<JobHarness> {
  const clock = new VirtualClock();
  const cluster = await testCluster(clock);
  const controllers: Controller[] = [new JobController(cluster.ctx)];
  if (opts.ttl) controllers.push(new TTLAfterFinishedController(cluster.ctx));
  await cluster.start();
  for (const c of controllers) c.start();
  return {
    cluster,
    clock,
    stop() {
      for (const c of controllers) c.stop();
      cluster.stop();
    },
  };
}

export const jobPods = (h: JobHarness, job = 'pi'): Pod[] =>
  h.cluster.informers
    .get(REFS.pods)
    .list()
    .filter((p: Pod) => p.metadata?.labels?.['batch.kubernetes.io/job-name'] === job)
    .sort((a: Pod, b: Pod) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));

export const activePods = (h: JobHarness, job = 'pi'): Pod[] => jobPods(h, job).filter((p) => !p.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''));

export const getJob = (h: JobHarness, name = 'pi'): Promise<Job> => h.cluster.client.resource(REFS.jobs).get(NS, name);

export async function jobWhen(h: JobHarness, pred: (j: Job) => boolean, what: string, name = 'pi'): Promise<Job> {
  return (await waitFor(async () => {
    const j = await getJob(h, name);
    return pred(j) ? j : undefined;
  }, what))!;
}

/** Wait until exactly `n` pods of the job are active, and return them. */
export const activeWhen = async (h: JobHarness, n: number, job = 'pi'): Promise<Pod[]> =>
  (await waitFor(() => (activePods(h, job).length === n ? activePods(h, job) : undefined), `${n} active pods`))!;

/** The terminal phase a kubelet reports when the container exits, with the exit time at the clock's now. */
export async function finishPod(h: JobHarness, name: string, phase: 'Succeeded' | 'Failed'): Promise<void> {
  const now = rfc3339(h.clock.now());
  const pod: Pod = await h.cluster.client.resource(REFS.pods).get(NS, name);
  const exitCode = phase === 'Succeeded' ? 0 : 1;
  const containerStatuses = pod.spec!.containers.map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    ready: false,
    restartCount: 0,
    state: { terminated: { exitCode, reason: phase === 'Succeeded' ? 'Completed' : 'Error', finishedAt: now, startedAt: now } },
  }));
  await h.cluster.client.resource(REFS.pods).updateStatus(NS, { ...pod, status: { ...pod.status, phase, containerStatuses } });
}

export async function markRunningReady(h: JobHarness, name: string): Promise<void> {
  const pod: Pod = await h.cluster.client.resource(REFS.pods).get(NS, name);
  const t = rfc3339(h.clock.now());
  await h.cluster.client.resource(REFS.pods).updateStatus(NS, { ...pod, status: { ...pod.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] } });
}

export async function jobEvents(h: JobHarness, name = 'pi'): Promise<string[]> {
  return (await h.cluster.client.resource(REFS.events).list(NS)).items
    .filter((e) => e.involvedObject.kind === 'Job' && e.involvedObject.name === name)
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e) => `${e.type} ${e.reason} ${e.message}`);
}

export async function isGone(h: JobHarness, name = 'pi'): Promise<boolean> {
  try {
    await getJob(h, name);
    return false;
  } catch (e) {
    if (isStatusError(e, 'NotFound')) return true;
    throw e;
  }
}

export const settle = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));

export { waitFor };
