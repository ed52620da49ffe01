// Stopping a pod's containers on graceful deletion (kuberuntime killContainer): a Killing event, the
// preStop hook, whose time counts against the grace period, then SIGTERM with what is left of it,
// never less than the kubelet's 2 s minimum.

import type { Clock } from '../machinery/clock.js';
import type { LifecycleHandler, Runtime } from '../runtime/runtime.js';
import type { ContainerRecord } from './containerstatus.js';

/** minimumGracePeriodInSeconds: containers always get this long to shut down. */
export const MIN_GRACE_MS = 2000;

export interface KillTarget {
  rec: ContainerRecord;
  id: string;
  preStop?: LifecycleHandler;
}

export async function killContainers(
  deps: { runtime: Runtime; clock: Clock },
  targets: KillTarget[],
  graceMs: number,
  killing: (rec: ContainerRecord) => void,
): Promise<void> {
  const { runtime, clock } = deps;
  const start = clock.now();
  await Promise.all(
    targets.map(async (t) => {
      const st = runtime.containerStatus(t.id);
      if (!st || st.state === 'exited') return;
      killing(t.rec);
      let grace = graceMs;
      if (t.preStop && st.state === 'running' && grace > 0) {
        await runtime.runPreStop(t.id, t.preStop, grace);
        grace -= clock.now() - start;
      }
      await runtime.stopContainer(t.id, Math.max(grace, MIN_GRACE_MS));
    }),
  );
}
