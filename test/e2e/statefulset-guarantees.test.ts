// The StatefulSet rules most often implemented wrongly (semantics §1.5–1.7, §1.9, §1.3, §11), driven with
// the real kubectl: OrderedReady halts on an unready pod and still repairs lower ordinals, claim retention
// policies on scale-down and deletion, and spec.ordinals.start.

import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StoredList } from '../../src/client/objects.js';
import { startCluster, type Cluster } from './harness.js';
import { fixturePath, webStatefulSet } from './manifests.js';
import { PodWatch, added, deleted, eventually, named, runningReady, runningUnready, terminating } from './pod-watch.js';
import { claimUids, observed, podsByName, readyReplicas } from './statefulset-state.js';

/** How long a halted set is watched to confirm it stays halted, after the controller has seen the change. */
const HALT_WINDOW_MS = 1000;

describe('StatefulSet guarantees', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--nodes', '1', '--sim-start-delay', '200ms', '--sim-stop-delay', '100ms']);
  });
  after(async () => {
    await c.destroy();
  });

  describe('OrderedReady', () => {
    let w: PodWatch;
    before(async () => {
      w = await PodWatch.start(c, 'app=nginx', true);
      await c.ok(['apply', '-f', fixturePath('web.yaml')]);
      await readyReplicas(c, 2);
    });
    after(async () => {
      w.stop();
      await c.ok(['delete', 'sts', 'web']);
      await eventually(async () => assert.equal((await podsByName(c)).size, 0));
    });

    const makeUnready = async (pod: string, ready: number) => {
      const from = w.rows.length;
      assert.equal(await c.ok(['annotate', 'pod', pod, 'sim.k8ts.io/ready=false']), `pod/${pod} annotated\n`);
      await w.until(runningUnready(pod), `${pod} unready`, from);
      await readyReplicas(c, ready);
    };
    const makeReady = async (pod: string) => {
      assert.equal(await c.ok(['annotate', 'pod', pod, 'sim.k8ts.io/ready-']), `pod/${pod} annotated\n`);
    };

    it('halts scaling up while a pod is unready, and resumes in order once it is Ready', async () => {
      await makeUnready('web-1', 1);
      const start = w.rows.length;
      assert.equal(await c.ok(['scale', 'sts', 'web', '--replicas=4']), 'statefulset.apps/web scaled\n');
      await observed(c);
      await delay(HALT_WINDOW_MS);
      assert.equal(w.index(named('web-2'), start), -1, `web-2 was created while web-1 was unready:\n${w.text}`);
      assert.deepEqual([...(await podsByName(c)).keys()], ['web-0', 'web-1']);

      await makeReady('web-1');
      await w.until(runningReady('web-3'), 'web-3 Ready', start);
      const ready1 = w.index(runningReady('web-1'), start);
      assert.ok(ready1 < w.index(added('web-2'), start), w.text);
      assert.ok(w.index(runningReady('web-2'), start) < w.index(added('web-3'), start), w.text);
      await readyReplicas(c, 4);
    });

    it('re-creates a deleted lower ordinal while a higher one is unready', async () => {
      await makeUnready('web-3', 3);
      const start = w.rows.length;
      assert.equal(await c.ok(['delete', 'pod', 'web-0']), 'pod "web-0" deleted\n');
      await w.until(runningReady('web-0'), 'web-0 back and Ready', await w.until(added('web-0'), 'web-0 re-created', start));
      assert.equal(w.index(runningReady('web-3'), start), -1, 'web-3 is still unready');
      await makeReady('web-3');
      await readyReplicas(c, 4);
    });

    it('halts scaling down while a lower pod is unready, then removes web-3 before web-2', async () => {
      await makeUnready('web-0', 3);
      const start = w.rows.length;
      assert.equal(await c.ok(['patch', 'sts', 'web', '-p', '{"spec":{"replicas":2}}']), 'statefulset.apps/web patched\n');
      await observed(c);
      await delay(HALT_WINDOW_MS);
      assert.equal(w.index((r) => r.status === 'Terminating', start), -1, `a pod was deleted while web-0 was unready:\n${w.text}`);

      await makeReady('web-0');
      const gone2 = await w.until(deleted('web-2'), 'web-2 deleted', start);
      const gone3 = w.index(deleted('web-3'), start);
      assert.ok(w.index(runningReady('web-0'), start) < w.index(terminating('web-3'), start), w.text);
      assert.ok(gone3 < w.index(terminating('web-2'), start) && gone3 < gone2, `web-2 went before web-3 was gone:\n${w.text}`);
      await readyReplicas(c, 2);
    });
  });

  describe('persistentVolumeClaimRetentionPolicy', () => {
    it('whenScaled: Delete removes the claims of condemned pods; whenDeleted: Retain keeps the rest', async () => {
      const policy = { whenScaled: 'Delete', whenDeleted: 'Retain' };
      await c.ok(['apply', '-f', '-'], webStatefulSet({ name: 'scaled', app: 'scaled', spec: { replicas: 3, persistentVolumeClaimRetentionPolicy: policy } }));
      await readyReplicas(c, 3, 'scaled');
      const pvcs = (await c.json<StoredList<PersistentVolumeClaim>>(['get', 'pvc', '-l', 'app=scaled'])).items;
      assert.deepEqual(pvcs.map((p) => [p.metadata.name, p.metadata.ownerReferences]), [0, 1, 2].map((i) => [`www-scaled-${i}`, undefined]), 'claims of pods in range have no owner');

      await c.ok(['scale', 'sts', 'scaled', '--replicas=1']);
      await eventually(async () => {
        assert.deepEqual([...(await podsByName(c, 'scaled')).keys()], ['scaled-0']);
        assert.deepEqual([...(await claimUids(c, 'scaled')).keys()], ['www-scaled-0']);
      });
      const kept = await claimUids(c, 'scaled');
      assert.equal(await c.ok(['delete', 'sts', 'scaled']), 'statefulset.apps "scaled" deleted\n');
      await eventually(async () => assert.equal((await podsByName(c, 'scaled')).size, 0));
      assert.deepEqual(await claimUids(c, 'scaled'), kept);
    });

    it('whenDeleted: Delete removes every claim with the set; whenScaled: Retain keeps them on scale-down', async () => {
      const policy = { whenScaled: 'Retain', whenDeleted: 'Delete' };
      await c.ok(['apply', '-f', '-'], webStatefulSet({ name: 'deleted', app: 'deleted', spec: { replicas: 2, persistentVolumeClaimRetentionPolicy: policy } }));
      const set = await readyReplicas(c, 2, 'deleted');
      const pvcs = (await c.json(['get', 'pvc', '-l', 'app=deleted'])).items;
      for (const p of pvcs) {
        assert.deepEqual(p.metadata.ownerReferences, [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'deleted', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true },
        ]);
      }
      const volumes = pvcs.map((p: PersistentVolumeClaim) => p.spec!.volumeName);

      await c.ok(['scale', 'sts', 'deleted', '--replicas=1']);
      await eventually(async () => assert.deepEqual([...(await podsByName(c, 'deleted')).keys()], ['deleted-0']));
      assert.deepEqual([...(await claimUids(c, 'deleted')).keys()], ['www-deleted-0', 'www-deleted-1']);

      await c.ok(['delete', 'sts', 'deleted']);
      await eventually(async () => {
        assert.equal((await podsByName(c, 'deleted')).size, 0);
        assert.equal((await claimUids(c, 'deleted')).size, 0);
      });
      await eventually(async () => {
        const pvs = (await c.json<StoredList<PersistentVolume>>(['get', 'pv'])).items.map((pv) => pv.metadata.name);
        for (const v of volumes) assert.ok(!pvs.includes(v), `${v} is reclaimed (policy Delete)`);
      });
    });
  });

  it('spec.ordinals.start: 5 numbers pods and claims from 5, and moving it re-numbers from the top', async () => {
    const w = await PodWatch.start(c, 'app=nginx', true);
    try {
      await c.ok(['apply', '-f', '-'], webStatefulSet({ spec: { ordinals: { start: 5 } } }));
      await w.until(runningReady('web-6'), 'web-6 Ready');
      assert.deepEqual(w.order((r) => r.event === 'ADDED'), ['web-5', 'web-6']);
      assert.ok(w.index(runningReady('web-5')) < w.index(added('web-6')), w.text);
      const pods = await podsByName(c);
      for (const i of [5, 6]) {
        const pod = pods.get(`web-${i}`)!;
        assert.equal(pod.metadata.labels!['apps.kubernetes.io/pod-index'], String(i));
        assert.equal(pod.spec!.hostname, `web-${i}`);
        assert.equal(pod.spec!.volumes!.find((v) => v.name === 'www')!.persistentVolumeClaim!.claimName, `www-web-${i}`);
      }
      const claims = await claimUids(c);
      assert.ok(claims.has('www-web-5') && claims.has('www-web-6'), [...claims.keys()].join(' '));

      // (replicas 2, start 5) -> (2, 4): web-4 is created, then web-6 is condemned and deleted.
      const start = w.rows.length;
      await c.ok(['patch', 'sts', 'web', '-p', '{"spec":{"ordinals":{"start":4}}}']);
      await w.until(deleted('web-6'), 'web-6 deleted', start);
      assert.ok(w.index(runningReady('web-4'), start) < w.index(terminating('web-6'), start), w.text);
      assert.equal(w.index(terminating('web-5'), start), -1, w.text);
      await readyReplicas(c, 2);
      assert.deepEqual([...(await podsByName(c)).keys()], ['web-4', 'web-5']);
    } finally {
      w.stop();
    }
  });
});
