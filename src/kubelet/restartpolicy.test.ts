import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerStatus, Event, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { VirtualClock } from '../machinery/clock.js';
import { SimRuntime } from '../runtime/sim/simruntime.js';
import { testCluster, waitFor, type TestCluster } from '../testing/fixture.js';
import { Kubelet } from './kubelet.js';

const NODE = 'k8ts';

async function cluster(clock?: VirtualClock): Promise<{ tc: TestCluster; kubelet: Kubelet }> {
  const tc = await testCluster(clock);
  const kubelet = new Kubelet(tc.ctx, { nodeName: NODE, podCIDR: '10.244.1.0/24', nodeIP: '192.168.49.3', runtime: new SimRuntime(tc.clock), startDelayMs: 0, stopDelayMs: 0 });
  await tc.start();
  await kubelet.whenRegistered();
  return { tc, kubelet };
}

function crashingPod(name: string, exitCode: string, restartPolicy: string): Pod {
  return {
    metadata: { name, annotations: { 'sim.k8ts.io/exit-code': exitCode } },
    spec: { nodeName: NODE, restartPolicy, containers: [{ name: 'app', image: 'busybox:1.36' }] },
  };
}

/** Let writes, watch deliveries and the kubelet's reactions to them happen (they run on real turns). */
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('restart policy', () => {
  it('Always: restarts at once, then backs off 10s, 20s, 40s in CrashLoopBackOff', async () => {
    const clock = new VirtualClock();
    const { tc, kubelet } = await cluster(clock);
    try {
      const created = await tc.client.pods.create('default', crashingPod('crash', '1', 'Always'));
      const get = () => tc.client.pods.get('default', 'crash');
      const app = async () => (await get()).status.containerStatuses?.[0];
      const advanceUntil = async (check: (c: ContainerStatus) => boolean, what: string) => {
        for (let i = 0; i < 50; i++) {
          const c = await app();
          if (c && check(c)) return c;
          await clock.advance(0);
          await settle();
        }
        assert.fail(`never reached: ${what}; last ${JSON.stringify(await app())}`);
      };

      let c = await advanceUntil((x) => x.state!.waiting?.reason === 'CrashLoopBackOff', 'first back-off');
      assert.equal(c.restartCount, 1, 'the first restart is immediate');
      assert.equal(c.state.waiting.message, `back-off 10s restarting failed container=app pod=crash_default(${created.metadata.uid})`);
      assert.equal(c.lastState.terminated.exitCode, 1);
      assert.equal(c.lastState.terminated.reason, 'Error');
      assert.equal((await get()).status.phase, 'Running');

      await clock.advance(9_000);
      await settle();
      assert.equal((await app()).restartCount, 1, 'still backing off after 9s');

      await clock.advance(1_000);
      c = await advanceUntil((x) => x.restartCount === 2 && x.state!.waiting?.reason === 'CrashLoopBackOff', 'second back-off');
      assert.match(c.state.waiting.message, /^back-off 20s /);

      await clock.advance(19_000);
      await settle();
      assert.equal((await app()).restartCount, 2);
      await clock.advance(1_000);
      c = await advanceUntil((x) => x.restartCount === 3 && x.state!.waiting?.reason === 'CrashLoopBackOff', 'third back-off');
      assert.match(c.state.waiting.message, /^back-off 40s /);

      await kubelet['recorder'].flush();
      const events = (await tc.client.events.list('default')).items.filter((e: Event) => e.reason === 'BackOff');
      assert.equal(events.length, 1);
      assert.equal(events[0].type, 'Warning');
      assert.equal(events[0].message, `Back-off restarting failed container app in pod crash_default(${created.metadata.uid})`);
      assert.ok(events[0].count >= 2);

      // Removing the script lets the next restart run normally.
      await tc.client.pods.patch('default', 'crash', 'merge', { metadata: { annotations: { 'sim.k8ts.io/exit-code': null } } });
      await settle();
      await clock.advance(40_000);
      c = await advanceUntil((x) => x.state!.running !== undefined, 'running again');
      assert.equal(c.restartCount, 4);
      assert.equal(c.ready, true);
    } finally {
      kubelet.stop();
      tc.stop();
    }
  });

  it('Never: a failing container makes the pod Failed; OnFailure: exit 0 makes it Succeeded', async () => {
    const { tc, kubelet } = await cluster();
    try {
      await tc.client.pods.create('default', crashingPod('once', '3', 'Never'));
      await tc.client.pods.create('default', crashingPod('job', '0', 'OnFailure'));
      const failed = await waitFor(async () => {
        const p = await tc.client.pods.get('default', 'once');
        return p.status.phase === 'Failed' && p;
      }, 'once Failed');
      const c = failed.status.containerStatuses[0];
      assert.equal(c.state.terminated.exitCode, 3);
      assert.equal(c.state.terminated.reason, 'Error');
      assert.equal(c.restartCount, 0);
      assert.deepEqual(
        failed.status.conditions.filter((x: PodCondition) => x.type === 'Ready' || x.type === 'ContainersReady').map((x: PodCondition) => [x.type, x.status, x.reason]),
        [
          ['Ready', 'False', 'PodFailed'],
          ['ContainersReady', 'False', 'PodFailed'],
        ],
      );
      const done = await waitFor(async () => {
        const p = await tc.client.pods.get('default', 'job');
        return p.status.phase === 'Succeeded' && p;
      }, 'job Succeeded');
      assert.equal(done.status.containerStatuses[0].state.terminated.reason, 'Completed');
      assert.equal(done.status.conditions.find((x: PodCondition) => x.type === 'PodReadyToStartContainers').status, 'False');
    } finally {
      kubelet.stop();
      tc.stop();
    }
  });
});
