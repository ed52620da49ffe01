// The StatefulSet basics tutorial (seeds/001, section 1), "Parallel pod management", with containers
// that take a second to start and to stop so that pods visibly overlap; plus the rule most often gotten
// wrong: Parallel scaling does not halt on an unready pod (semantics §1.8).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StoredList } from '../../src/client/objects.js';
import { startCluster, table, type Cluster } from './harness.js';
import { fixturePath } from './manifests.js';
import { PodWatch, added, deleted, runningReady, runningUnready, terminating } from './pod-watch.js';
import { readyReplicas } from './statefulset-state.js';

describe('StatefulSet basics: Parallel pod management', () => {
  let c: Cluster;
  let w: PodWatch;
  before(async () => {
    c = await startCluster(['--nodes', '1', '--sim-start-delay', '1s', '--sim-stop-delay', '1s']);
    w = await PodWatch.start(c, 'app=nginx', true);
  });
  after(async () => {
    w.stop();
    await c.destroy();
  });

  it('creates web-0 and web-1 together, without waiting for web-0 to be Ready', async () => {
    assert.equal(await c.ok(['apply', '-f', fixturePath('web-parallel.yaml')]), 'service/nginx created\nstatefulset.apps/web created\n');
    await w.until(runningReady('web-0'), 'web-0 Ready');
    await w.until(runningReady('web-1'), 'web-1 Ready');
    assert.deepEqual(w.order((r) => r.event === 'ADDED'), ['web-0', 'web-1']);
    assert.ok(w.index(added('web-1')) < w.index(runningReady('web-0')), `web-1 waited for web-0:\n${w.text}`);
    assert.equal(w.maxNotReady(), 2, w.text);
  });

  it('kubectl scale statefulset/web --replicas=4 starts web-2 and web-3 at once', async () => {
    const start = w.rows.length;
    assert.equal(await c.ok(['scale', 'statefulset/web', '--replicas=4']), 'statefulset.apps/web scaled\n');
    await w.until(runningReady('web-3'), 'web-3 Ready', start);
    await w.until(runningReady('web-2'), 'web-2 Ready', start);
    assert.ok(w.index(added('web-3'), start) < w.index(runningReady('web-2'), start), `web-3 waited for web-2:\n${w.text}`);
    await readyReplicas(c, 4);
  });

  it('keeps scaling up while a lower pod is unready', async () => {
    assert.equal(await c.ok(['annotate', 'pod', 'web-0', 'sim.k8ts.io/ready=false']), 'pod/web-0 annotated\n');
    const unready = await w.until(runningUnready('web-0'), 'web-0 unready');
    await readyReplicas(c, 3);
    assert.equal(await c.ok(['scale', 'statefulset/web', '--replicas=6']), 'statefulset.apps/web scaled\n');
    await w.until(runningReady('web-4'), 'web-4 Ready', unready);
    await w.until(runningReady('web-5'), 'web-5 Ready', unready);
    assert.equal(w.index(runningReady('web-0'), unready), -1, 'web-0 stayed unready');
    await readyReplicas(c, 5);
  });

  it('scales down by terminating all condemned pods at once, even while web-0 is unready', async () => {
    const start = w.rows.length;
    assert.equal(await c.ok(['scale', 'statefulset/web', '--replicas=2']), 'statefulset.apps/web scaled\n');
    for (const k of [2, 3, 4, 5]) await w.until(deleted(`web-${k}`), `web-${k} deleted`, start);
    const firstGone = w.index((r) => r.event === 'DELETED', start);
    for (const k of [2, 3, 4, 5]) {
      const t = w.index(terminating(`web-${k}`), start);
      assert.ok(t >= start && t < firstGone, `web-${k} only started terminating after another pod was gone:\n${w.text}`);
    }
    assert.equal(w.index(terminating('web-0'), start), -1);
    assert.equal(w.index(terminating('web-1'), start), -1);
    const pods = table(await c.ok(['get', 'pods', '-l', 'app=nginx']));
    assert.deepEqual(pods.slice(1).map((r) => r.slice(0, 3)), [
      ['web-0', '0/1', 'Running'],
      ['web-1', '1/1', 'Running'],
    ]);
    const claims = (await c.json<StoredList<PersistentVolumeClaim>>(['get', 'pvc', '-l', 'app=nginx'])).items.map((p) => p.metadata.name);
    assert.deepEqual(claims, [0, 1, 2, 3, 4, 5].map((i) => `www-web-${i}`));
  });

  it('kubectl delete sts web removes every pod', async () => {
    const start = w.rows.length;
    assert.equal(await c.ok(['delete', 'sts', 'web']), 'statefulset.apps "web" deleted\n');
    await w.until(deleted('web-0'), 'web-0 deleted', start);
    await w.until(deleted('web-1'), 'web-1 deleted', start);
    assert.equal(w.index((r) => r.event === 'ADDED', start), -1, w.text);
    assert.equal((await c.kubectl(['get', 'pods', '-l', 'app=nginx'])).stdout, '');
    assert.equal(await c.ok(['delete', 'svc', 'nginx']), 'service "nginx" deleted\n');
  });
});
