// Deployments with the real kubectl: create, rollout status/history/undo/restart/pause/resume, set
// image, scale, and the singleton document's warning: a Deployment of one replica runs two pods at
// once during a rolling update (seed 003).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Stored } from '../../src/client/objects.js';
import { startCluster, table, type Cluster } from './harness.js';
import { eventually } from './pod-watch.js';

describe('Deployments', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--sim-start-delay', '100ms', '--sim-stop-delay', '100ms']);
  });
  after(async () => {
    await c?.destroy();
  });

  const replicaSets = async (selector: string) => (await c.json<{ items: Stored<ReplicaSet>[] }>(['get', 'rs', '-l', selector])).items;
  const rolledOut = (name: string) => c.ok(['rollout', 'status', `deployment/${name}`, '--timeout=60s']);

  it('creates a ReplicaSet <name>-<pod-template-hash> whose pods carry the hash, and rollout status waits for it', async () => {
    assert.equal(await c.ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3']), 'deployment.apps/web created\n');
    assert.match(await rolledOut('web'), /deployment "web" successfully rolled out/);
    const [rs] = await replicaSets('app=web');
    const hash = rs.metadata.labels?.['pod-template-hash'] ?? '';
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    const pods = (await c.json<{ items: Stored<Pod>[] }>(['get', 'pods', '-l', 'app=web'])).items;
    assert.equal(pods.length, 3);
    for (const p of pods) assert.match(p.metadata.name, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    const rows = table(await c.ok(['get', 'deploy', 'web']));
    assert.deepEqual(rows[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.deepEqual(rows[1].slice(0, 4), ['web', '3/3', '3', '3']);
    const all = await c.ok(['get', 'all']);
    for (const line of [/pod\/web-/, /deployment\.apps\/web\s+3\/3/, new RegExp(`replicaset\\.apps/web-${hash}\\s+3\\s+3\\s+3`)]) assert.match(all, line);
  });

  it('set image rolls out a second ReplicaSet; history lists both; undo goes back to the first template', async () => {
    await c.ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.26']);
    assert.match(await rolledOut('web'), /successfully rolled out/);
    const sets = await replicaSets('app=web');
    assert.equal(sets.length, 2);
    const byRevision = new Map(sets.map((s) => [s.metadata.annotations?.['deployment.kubernetes.io/revision'], s]));
    assert.equal(byRevision.get('2')?.spec?.replicas, 3);
    assert.equal(byRevision.get('1')?.spec?.replicas, 0);
    assert.match(await c.ok(['rollout', 'history', 'deployment/web']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    assert.match(await c.ok(['rollout', 'undo', 'deployment/web']), /deployment\.apps\/web rolled back/);
    assert.match(await rolledOut('web'), /successfully rolled out/);
    const after = await replicaSets('app=web');
    const current = after.find((s) => (s.spec?.replicas ?? 0) > 0)!;
    assert.equal(current.metadata.name, byRevision.get('1')!.metadata.name, 'the first ReplicaSet is reused');
    assert.equal(current.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(current.spec?.template?.spec?.containers[0].image, 'nginx:1.25');
  });

  it('pause holds a template change back, resume rolls it out; restart makes a new ReplicaSet; scale applies while paused', async () => {
    await c.ok(['rollout', 'pause', 'deployment/web']);
    await c.ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
    await c.ok(['scale', 'deployment/web', '--replicas=4']);
    await eventually(async () => {
      const sets = await replicaSets('app=web');
      assert.equal(sets.length, 2, 'no new ReplicaSet while paused');
      assert.equal(sets.reduce((n, s) => n + (s.spec?.replicas ?? 0), 0), 4, 'scaling still applies');
    });
    await c.ok(['rollout', 'resume', 'deployment/web']);
    assert.match(await rolledOut('web'), /successfully rolled out/);
    assert.equal((await replicaSets('app=web')).length, 3);
    await c.ok(['rollout', 'restart', 'deployment/web']);
    assert.match(await rolledOut('web'), /successfully rolled out/);
    const sets = await replicaSets('app=web');
    assert.equal(sets.length, 4);
    const live = sets.filter((s) => (s.spec?.replicas ?? 0) > 0);
    assert.equal(live.length, 1);
    assert.ok(live[0].spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']);
  });

  it('a Deployment of one replica runs two pods at once during a rolling update, as the singleton document warns', async () => {
    await c.ok(['create', 'deployment', 'single', '--image=nginx:1.25', '--replicas=1']);
    await rolledOut('single');
    let most = 0;
    const watch = spawn('kubectl', ['get', 'pods', '-l', 'app=single', '-w', '--no-headers', '--kubeconfig', c.kubeconfig, '--cache-dir', c.cacheDir], { env: { ...process.env, HOME: c.home } });
    const phases = new Map<string, string>();
    watch.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        const [name, , status] = line.trim().split(/\s+/);
        phases.set(name, status);
        most = Math.max(most, [...phases.values()].filter((s) => s === 'Running' || s === 'ContainerCreating' || s === 'Pending' || s === 'Terminating').length);
      }
    });
    try {
      await c.ok(['set', 'image', 'deployment/single', 'nginx=nginx:1.26']);
      await rolledOut('single');
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      watch.kill();
    }
    assert.ok(most >= 2, `at most ${most} pod(s) seen at once`);
  });
});
