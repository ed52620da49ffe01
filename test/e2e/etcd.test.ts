// Two `k8ts server --etcd` on one etcd are one cluster: one CA and admin token, objects bootstrapped once,
// watches and conflicts across servers, and the controllers and nodes move to the survivor when their
// leader is killed -9 while the StatefulSet tutorial runs.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import { etcdAvailable, startEtcd, type EtcdProcess } from '../../src/testing/etcd.js';
import { tempDir } from '../../src/testing/tmpdir.js';
import { Cluster, table } from './harness.js';
import { fixturePath } from './manifests.js';
import { eventually } from './pod-watch.js';

const SERVER_ARGS = [
  '--nodes', '3',
  '--leader-elect-lease-duration', '3s',
  '--leader-elect-renew-deadline', '2s',
  '--leader-elect-retry-period', '500ms',
  '--sim-start-delay', '200ms',
  '--sim-stop-delay', '100ms',
];

const read = (c: Cluster, file: string): string => readFileSync(path.join(c.dataDir, file), 'utf8');

/** The id part of a server's candidate identity (`<hostname>_<id>`), kept in its data directory. */
const identityOf = (c: Cluster): string => read(c, 'identity').trim();

/** Who holds a kube-system Lease, as the id after the last `_` ('' while nobody does). */
async function holder(via: Cluster, lease: string): Promise<string> {
  const id = await via.ok(['get', 'lease', '-n', 'kube-system', lease, '-o', 'jsonpath={.spec.holderIdentity}']);
  return id.slice(id.lastIndexOf('_') + 1);
}

const isReady = (p: Pod): boolean => p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Waits until the pods of app=nginx are exactly `names`, all Running and Ready. */
async function podsReady(via: Cluster, names: string[], timeoutMs = 20_000): Promise<Map<string, Pod>> {
  return eventually(async () => {
    const list = await via.json<{ items: Pod[] }>(['get', 'pods', '-l', 'app=nginx']);
    const pods = new Map(list.items.map((p) => [p.metadata!.name!, p]));
    assert.deepEqual([...pods.keys()].sort(), names);
    for (const p of pods.values()) assert.ok(isReady(p), `${p.metadata!.name} is ${p.status?.phase}, not Running and Ready`);
    return pods;
  }, timeoutMs);
}

describe('two servers on one etcd', { skip: etcdAvailable() ? false : 'etcd is not installed (set ETCD_BIN or install /usr/bin/etcd)' }, () => {
  let etcd: EtcdProcess;
  let a: Cluster;
  let b: Cluster;
  before(async () => {
    etcd = await startEtcd();
    a = new Cluster(tempDir('k8ts-etcd-a-'), ['--etcd', etcd.url, ...SERVER_ARGS]);
    b = new Cluster(tempDir('k8ts-etcd-b-'), ['--etcd', etcd.url, ...SERVER_ARGS]);
    // Both at once on an empty etcd: they race to store the cluster data and to bootstrap.
    await Promise.all([a.start(), b.start()]);
  });
  after(async () => {
    for (const c of [a, b]) await c?.destroy();
    await etcd?.stop();
  });

  it('share one CA and admin token, and the bootstrap objects exist once', async () => {
    assert.notEqual(a.url, b.url);
    assert.equal(read(a, 'pki/ca.crt'), read(b, 'pki/ca.crt'));
    assert.notEqual(read(a, 'pki/apiserver.crt'), read(b, 'pki/apiserver.crt'), 'each server issues its own serving certificate');
    const nsA = table(await a.ok(['get', 'ns']));
    const nsB = table(await a.ok(['--server', b.url, 'get', 'ns']));
    assert.deepEqual(nsB.map((r) => r[0]), nsA.map((r) => r[0]));
    assert.ok(nsB.some((r) => r[0] === 'kube-system'), 'A\'s kubeconfig lists kube-system through B');
    assert.equal(await b.ok(['--server', a.url, 'get', 'clusterrole', 'cluster-admin', '-o', 'name']), 'clusterrole.rbac.authorization.k8s.io/cluster-admin\n');

    const names = async (c: Cluster, resource: string): Promise<string[]> => (await c.ok(['get', resource, '-A', '-o', 'name'])).trim().split('\n');
    for (const resource of ['apiservices', 'clusterroles', 'clusterrolebindings', 'namespaces', 'services']) {
      const viaA = await names(a, resource);
      const viaB = await names(b, resource);
      assert.deepEqual(viaB, viaA, `${resource} through B and through A`);
      assert.equal(new Set(viaA).size, viaA.length, `no duplicate ${resource}: ${viaA.join(' ')}`);
    }
    const kubernetes = await b.json(['get', 'service', 'kubernetes', '-n', 'default']);
    assert.equal(kubernetes.spec.clusterIP, (await a.json(['get', 'service', 'kubernetes', '-n', 'default'])).spec.clusterIP);
  });

  it('a watch through B sees what is written through A', async () => {
    const w = b.stream(['get', 'configmaps', '-w', '--output-watch-events', '-v=6']);
    try {
      let log = '';
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`kubectl get -w did not start watching:\n${log}`)), 20_000);
        w.proc.stderr!.on('data', (d: Buffer) => {
          log += d;
          if (/[?&]watch=true\S* 200 OK/.test(log)) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      assert.equal(await a.ok(['create', 'configmap', 'watched', '--from-literal=k=v1']), 'configmap/watched created\n');
      await w.waitFor(/^ADDED\s+watched\s+1\s/);
      await a.ok(['patch', 'configmap', 'watched', '-p', '{"data":{"k2":"v2"}}']);
      await w.waitFor(/^MODIFIED\s+watched\s+2\s/);
      await a.ok(['delete', 'configmap', 'watched']);
      await w.waitFor(/^DELETED\s+watched\s/);
    } finally {
      w.stop();
    }
  });

  it('a stale replace through A after an update through B is a conflict', async () => {
    await a.ok(['create', 'configmap', 'contended', '--from-literal=owner=a']);
    const stale = await a.json<ConfigMap>(['get', 'configmap', 'contended']);
    const fresh = await b.json<ConfigMap>(['get', 'configmap', 'contended']);
    assert.equal(fresh.metadata!.resourceVersion, stale.metadata!.resourceVersion, 'both servers read the same revision');
    fresh.data = { owner: 'b' };
    assert.equal(await b.ok(['replace', '-f', '-'], JSON.stringify(fresh)), 'configmap/contended replaced\n');

    stale.data = { owner: 'a-again' };
    const r = await a.kubectl(['replace', '-f', '-'], JSON.stringify(stale));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "contended": the object has been modified; please apply your changes to the latest version and try again',
    );
    assert.equal(await a.ok(['get', 'configmap', 'contended', '-o', 'jsonpath={.data.owner}']), 'b');
  });

  it('moves the controllers and nodes to the survivor when their leader is killed -9', async () => {
    assert.equal(await b.ok(['apply', '-f', fixturePath('web.yaml')]), 'service/nginx created\nstatefulset.apps/web created\n');
    const before = await podsReady(b, ['web-0', 'web-1']);

    const ids = new Map([
      [identityOf(a), a],
      [identityOf(b), b],
    ]);
    const kcm = await holder(b, 'kube-controller-manager');
    const leader = ids.get(kcm);
    assert.ok(leader, `kube-controller-manager is held by ${kcm}, neither A (${identityOf(a)}) nor B (${identityOf(b)})`);
    const survivor = leader === a ? b : a;
    const schedulerWasOnLeader = ids.get(await holder(survivor, 'kube-scheduler')) === leader;

    const killedAt = Date.now();
    await leader.kill9();
    const takeover = async (lease: string): Promise<number> =>
      eventually(async () => {
        assert.equal(await holder(survivor, lease), identityOf(survivor), `${lease} has not moved yet`);
        return Date.now() - killedAt;
      }, 15_000);
    const [kcmMs, schedMs] = await Promise.all([takeover('kube-controller-manager'), schedulerWasOnLeader ? takeover('kube-scheduler') : Promise.resolve(0)]);
    console.log(`kill -9 of ${leader === a ? 'A' : 'B'} to kube-controller-manager on the survivor: ${kcmMs} ms` + (schedulerWasOnLeader ? `; kube-scheduler: ${schedMs} ms` : ' (kube-scheduler was already on the survivor)'));

    assert.equal(await survivor.ok(['scale', 'sts', 'web', '--replicas=4']), 'statefulset.apps/web scaled\n');
    const names = ['web-0', 'web-1', 'web-2', 'web-3'];
    const after = await podsReady(survivor, names, 30_000);
    for (const name of ['web-0', 'web-1']) {
      assert.equal(after.get(name)!.metadata!.uid, before.get(name)!.metadata!.uid, `${name} is the pod it was before the failover`);
    }
    for (const [name, pod] of after) {
      assert.equal(pod.spec!.volumes!.find((v) => v.name === 'www')!.persistentVolumeClaim!.claimName, `www-${name}`);
    }
    await eventually(async () => {
      const rows = table(await survivor.ok(['get', 'pvc', '-l', 'app=nginx']));
      assert.deepEqual(rows.slice(1).map((r) => [r[0], r[1]]), names.map((n) => [`www-${n}`, 'Bound']));
    });
    assert.equal(await holder(survivor, 'kube-controller-manager'), identityOf(survivor));
    const sts = await eventually(async () => {
      const s = await survivor.json(['get', 'sts', 'web']);
      assert.equal(s.status.readyReplicas, 4);
      return s;
    });
    assert.equal(sts.status.replicas, 4);
  });
});
