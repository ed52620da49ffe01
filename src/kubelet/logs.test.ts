import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { REFS } from '../client/client.js';
import { isStatusError } from '../machinery/errors.js';
import { SimRuntime } from '../runtime/sim/simruntime.js';
import { testCluster, waitFor, type TestCluster } from '../testing/fixture.js';
import { Kubelet } from './kubelet.js';
import { logContainerID } from './logs.js';

const NODE = 'k8ts-m02';

/** Wait for a promise while polling, so unref'd runtime timers still get their turn. */
async function settled(p: Promise<void>): Promise<void> {
  let finished = false;
  void p.then(() => (finished = true));
  await waitFor(() => finished, 'stream end');
}

async function text(it: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of it) out += chunk;
  return out;
}

function badRequest(message: string) {
  return (e: unknown) => isStatusError(e, 'BadRequest') && e.code === 400 && e.message === message;
}

describe('kubectl logs and exec on the simulated runtime', () => {
  let tc: TestCluster;
  let kubelet: Kubelet;

  const create = (name: string, containers: string[], annotations?: Record<string, string>) =>
    tc.client.pods.create('default', {
      metadata: { name, annotations },
      spec: { nodeName: NODE, containers: containers.map((c) => ({ name: c, image: 'nginx:1.27' })) },
    });
  const running = (name: string) =>
    waitFor(async () => (await tc.client.resource(REFS.pods).get('default', name)).status!.containerStatuses?.every((c) => c.state!.running), `${name} running`);

  before(async () => {
    tc = await testCluster();
    kubelet = new Kubelet(tc.ctx, { nodeName: NODE, podCIDR: '10.244.2.0/24', nodeIP: '192.168.49.4', runtime: new SimRuntime(tc.clock), startDelayMs: 0, stopDelayMs: 0 });
    await tc.start();
    await kubelet.whenRegistered();
    await create('web-0', ['nginx']);
    await create('multi', ['a', 'b']);
    await running('web-0');
    await running('multi');
  });
  after(() => {
    kubelet.stop();
    tc.stop();
  });

  it('returns the lines the runtime wrote, with RFC3339Nano timestamps on request', async () => {
    const out = await text(await kubelet.logs('default', 'web-0', undefined));
    assert.equal(out, '[sim] started container nginx (image docker.io/library/nginx:1.27)\n[sim] ready\n');
    const stamped = await text(await kubelet.logs('default', 'web-0', 'nginx', { timestamps: true, tailLines: 1 }));
    assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \[sim\] ready\n$/);
  });

  it('rejects an unknown or missing container with the API server messages', async () => {
    await assert.rejects(kubelet.logs('default', 'web-0', 'x'), badRequest('container x is not valid for pod web-0'));
    await assert.rejects(kubelet.logs('default', 'multi', undefined), badRequest('a container name must be specified for pod multi, choose one of: [a b]'));
    await assert.rejects(kubelet.logs('default', 'nope', undefined), (e) => isStatusError(e, 'NotFound') && e.message === 'pods "nope" not found');
    await assert.rejects(kubelet.logs('default', 'web-0', undefined, { previous: true }), badRequest('previous terminated container "nginx" in pod "web-0" not found'));
  });

  it('says a container that is still being created has no logs yet', async () => {
    await create('slow', ['nginx'], { 'sim.k8ts.io/start-delay': '1h' });
    await waitFor(async () => (await tc.client.pods.get('default', 'slow')).status.containerStatuses, 'slow status');
    await assert.rejects(kubelet.logs('default', 'slow', 'nginx'), badRequest('container "nginx" in pod "slow" is waiting to start: ContainerCreating'));
  });

  it('serves the previous instance of a restarted container', async () => {
    await create('crashy', ['app'], { 'sim.k8ts.io/exit-code': '2' });
    await waitFor(async () => (await tc.client.pods.get('default', 'crashy')).status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff', 'crashy backing off');
    const previous = await text(await kubelet.logs('default', 'crashy', 'app', { previous: true }));
    assert.match(previous, /exiting with code 2 \(sim\.k8ts\.io\/exit-code\)\n\[sim\] exited with code 2\n$/);
    // In back-off, plain logs show the last terminated instance.
    assert.match(await text(await kubelet.logs('default', 'crashy', 'app')), /exited with code 2\n$/);
  });

  it('follows until the container exits', async () => {
    await create('followed', ['nginx'], { 'sim.k8ts.io/stop-delay': '50ms' });
    await running('followed');
    const stream = await kubelet.logs('default', 'followed', 'nginx', { follow: true });
    const lines: string[] = [];
    const done = (async () => {
      for await (const l of stream) lines.push(l);
    })();
    await waitFor(() => lines.length === 2, 'first lines');
    await tc.client.pods.delete('default', 'followed');
    await settled(done);
    assert.deepEqual(lines.slice(2), ['[sim] received SIGTERM, shutting down\n', '[sim] exited with code 0\n']);
  });

  it('stops following when the client goes away', async () => {
    const ac = new AbortController();
    const stream = await kubelet.logs('default', 'web-0', 'nginx', { follow: true, signal: ac.signal });
    const lines: string[] = [];
    const done = (async () => {
      for await (const l of stream) lines.push(l);
    })();
    await waitFor(() => lines.length === 2, 'lines');
    ac.abort();
    await settled(done);
  });

  it('refuses exec, naming the simulated runtime', async () => {
    await assert.rejects(
      kubelet.exec('default', 'web-0', 'nginx', { command: ['sh'], stdin: true, tty: true }),
      badRequest('exec is not available: pod web-0 runs on the simulated runtime (sim); start k8ts with the process runtime to exec into pods'),
    );
  });
});

describe('logContainerID', () => {
  const sim = (id: string) => `sim://${id}`;
  it('prefers the running instance, then the terminated one, then lastState', () => {
    assert.equal(logContainerID('p', [{ name: 'c', containerID: sim('run'), state: { running: {} }, lastState: {} }], 'c', false), 'run');
    assert.equal(logContainerID('p', [{ name: 'c', state: { terminated: { exitCode: 0, containerID: sim('t') } }, lastState: {} }], 'c', false), 't');
    assert.equal(logContainerID('p', [{ name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, containerID: sim('old') } } }], 'c', false), 'old');
    assert.throws(() => logContainerID('p', [{ name: 'c', state: { terminated: { exitCode: 0 } }, lastState: {} }], 'c', false), /container "c" in pod "p" is terminated/);
    assert.throws(() => logContainerID('p', [], 'c', false), /container "c" in pod "p" is not available/);
  });
});
