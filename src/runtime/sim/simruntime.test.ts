import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import type { ContainerConfig, RuntimeEvent } from '../runtime.js';
import { readScript } from './annotations.js';
import { imageDigestRef, normalizeImage } from '../image.js';
import { ContainerLog } from '../logstore.js';
import { readinessFlipAt } from './readiness.js';
import { hookDurationMs, SimRuntime } from './simruntime.js';

async function setup(annotations: Record<string, string> = {}, config: Partial<ContainerConfig> = {}) {
  const clock = new VirtualClock();
  const rt = new SimRuntime(clock);
  const events: RuntimeEvent[] = [];
  rt.subscribe((ev) => events.push(ev));
  const sb = await rt.runPodSandbox({ name: 'web-0', namespace: 'default', uid: 'u1', hostname: 'web-0', ip: '10.244.0.2', annotations, startDelayMs: 0, stopDelayMs: 0 });
  const id = await rt.createContainer(sb, { name: 'nginx', kind: 'regular', index: 0, attempt: 0, image: 'nginx:1.27', ...config });
  return { clock, rt, events, sb, id, types: () => events.map((e) => e.type) };
}

async function read(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l);
  return out;
}

describe('SimRuntime', () => {
  it('becomes ready after the readiness probe initialDelaySeconds', async () => {
    const { clock, rt, id, types } = await setup({}, { readinessProbe: { initialDelaySeconds: 5, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 } });
    await rt.startContainer(id);
    assert.equal(rt.containerStatus(id)!.state, 'running');
    assert.equal(rt.containerStatus(id)!.ready, false);
    await clock.advance(4_999);
    assert.equal(rt.containerStatus(id)!.ready, false);
    await clock.advance(1);
    assert.equal(rt.containerStatus(id)!.ready, true);
    assert.deepEqual(types(), ['ContainerStarted', 'ContainerReady']);
  });

  it('fails readiness after failureThreshold probes once sim.k8ts.io/ready is "false"', async () => {
    const { clock, rt, sb, id, events } = await setup({}, { readinessProbe: { initialDelaySeconds: 0, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 } });
    await rt.startContainer(id);
    assert.equal(rt.containerStatus(id)!.ready, true);
    await clock.advance(12_000);
    rt.updatePodSandbox(sb, { 'sim.k8ts.io/ready': 'false' });
    // Probes at 20s, 30s, 40s fail; the third failure flips readiness.
    await clock.advance(27_999);
    assert.equal(rt.containerStatus(id)!.ready, true);
    await clock.advance(1);
    assert.equal(rt.containerStatus(id)!.ready, false);
    assert.equal(events.at(-1)!.type, 'ContainerNotReady');
    assert.equal(events.at(-1)!.message, 'sim.k8ts.io/ready is "false"');
  });

  it('is ready at once without a probe, and follows the annotation at once', async () => {
    const { rt, sb, id } = await setup({ 'sim.k8ts.io/ready': 'false' });
    await rt.startContainer(id);
    assert.equal(rt.containerStatus(id)!.ready, false);
    rt.updatePodSandbox(sb, { 'sim.k8ts.io/ready': 'true' });
    assert.equal(rt.containerStatus(id)!.ready, true);
  });

  it('takes the start delay to start', async () => {
    const { clock, rt, id } = await setup({ 'sim.k8ts.io/start-delay': '2s' });
    let started = false;
    const p = rt.startContainer(id).then(() => (started = true));
    await clock.advance(1_999);
    assert.equal(rt.containerStatus(id)!.state, 'created');
    await clock.advance(1);
    await p;
    assert.ok(started);
    assert.equal(rt.containerStatus(id)!.state, 'running');
  });

  it('exits the first container with the scripted code, also when scripted while running', async () => {
    const { clock, rt, sb, id } = await setup();
    await rt.startContainer(id);
    rt.updatePodSandbox(sb, { 'sim.k8ts.io/exit-code': '42' });
    await clock.advance(0);
    const st = rt.containerStatus(id)!;
    assert.equal(st.state, 'exited');
    assert.equal(st.exitCode, 42);
    assert.equal(st.reason, 'Error');
  });

  it('stops gracefully within the grace period, and SIGKILLs (137) past it', async () => {
    const a = await setup({ 'sim.k8ts.io/stop-delay': '3s' });
    await a.rt.startContainer(a.id);
    const stopped = a.rt.stopContainer(a.id, 5_000);
    await a.clock.advance(3_000);
    await stopped;
    assert.deepEqual([a.rt.containerStatus(a.id)!.exitCode, a.rt.containerStatus(a.id)!.reason], [0, 'Completed']);

    const b = await setup({ 'sim.k8ts.io/stop-delay': '1m' });
    await b.rt.startContainer(b.id);
    const killed = b.rt.stopContainer(b.id, 30_000);
    await b.clock.advance(30_000);
    await killed;
    assert.deepEqual([b.rt.containerStatus(b.id)!.exitCode, b.rt.containerStatus(b.id)!.reason], [137, 'Error']);
    const lines = await read(b.rt.logs(b.id, {}));
    assert.deepEqual(lines.slice(-3), ['[sim] received SIGTERM, shutting down\n', '[sim] grace period over: killed with SIGKILL\n', '[sim] exited with code 137\n']);
  });

  it('runs init containers to completion with exit code 0', async () => {
    const { clock, rt, sb } = await setup();
    const id = await rt.createContainer(sb, { name: 'init', kind: 'init', index: 0, attempt: 0, image: 'busybox' });
    await rt.startContainer(id);
    await clock.advance(0);
    assert.deepEqual([rt.containerStatus(id)!.state, rt.containerStatus(id)!.exitCode, rt.containerStatus(id)!.reason], ['exited', 0, 'Completed']);
  });

  it('refuses exec with a clear BadRequest', async () => {
    const { rt, id } = await setup();
    await assert.rejects(rt.exec(id), (e) => isStatusError(e, 'BadRequest') && /pod web-0 runs on the simulated runtime \(sim\)/.test(e.message));
  });
});

describe('sim helpers', () => {
  it('reads the script annotations and reports bad values', () => {
    const s = readScript({ 'sim.k8ts.io/ready': 'false', 'sim.k8ts.io/exit-code': '3', 'sim.k8ts.io/start-delay': '1.5s' }, { startDelayMs: 100, stopDelayMs: 200 });
    assert.deepEqual([s.ready, s.exitCode, s.startDelayMs, s.stopDelayMs, s.problems], [false, 3, 1500, 200, []]);
    const bad = readScript({ 'sim.k8ts.io/exit-code': 'boom', 'sim.k8ts.io/stop-delay': '2 seconds' }, { startDelayMs: 0, stopDelayMs: 0 });
    assert.equal(bad.exitCode, undefined);
    assert.equal(bad.problems.length, 2);
    assert.match(bad.problems[0], /sim\.k8ts\.io\/stop-delay="2 seconds"/);
  });

  it('computes when a probe sees a change', () => {
    const probe = { initialDelaySeconds: 5, periodSeconds: 10, successThreshold: 2, failureThreshold: 3 };
    assert.equal(readinessFlipAt(probe, 0, 0, 2), 15_000);
    assert.equal(readinessFlipAt(probe, 0, 16_000, 3), 45_000);
    assert.equal(readinessFlipAt(undefined, 0, 7, 3), 7);
  });

  it('times preStop hooks', () => {
    assert.equal(hookDurationMs({ sleep: { seconds: 5 } }), 5000);
    assert.equal(hookDurationMs({ exec: { command: ['/bin/sh', '-c', 'sleep 10'] } }), 10_000);
    assert.equal(hookDurationMs({ exec: { command: ['sleep', '2'] } }), 2000);
    assert.equal(hookDurationMs({ exec: { command: ['nginx', '-s', 'quit'] } }), 0);
  });

  it('names images as containerd does', () => {
    assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
    assert.equal(normalizeImage('bitnami/redis:7'), 'docker.io/bitnami/redis:7');
    assert.equal(normalizeImage('registry.k8s.io/nginx-slim:0.21'), 'registry.k8s.io/nginx-slim:0.21');
    assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app:latest');
    assert.match(imageDigestRef('docker.io/library/nginx:latest'), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  });

  it('reads logs with since, tail and limitBytes', async () => {
    const log = new ContainerLog();
    log.write(1000, 'one');
    log.write(2000, 'two');
    log.write(3000, 'three');
    log.close();
    assert.deepEqual(await read(log.read({ tailLines: 2 })), ['two\n', 'three\n']);
    assert.deepEqual(await read(log.read({ sinceMs: 2000 })), ['two\n', 'three\n']);
    assert.deepEqual(await read(log.read({ limitBytes: 6 })), ['one\n', 'tw']);
    assert.deepEqual(await read(log.read({ tailLines: 1, timestamps: true })), ['1970-01-01T00:00:03.000000000Z three\n']);
  });
});
