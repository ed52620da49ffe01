// Looking at a StatefulSet's simulated pods with the real kubectl: logs (plain, --tail, -f until the pod
// goes away), exec refused by the simulated runtime, and the events describe and get events show.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startCluster, table, type Cluster, type Result } from './harness.js';
import { assertRolloutStatus, pods, SIM_ARGS, WEB_YAML, waitUntil } from './statefulsets.js';

/** The rows of the Events section of `kubectl describe`: [Type, Reason, Age, From, Message]. */
function describedEvents(text: string): string[][] {
  const section = text.slice(text.indexOf('\nEvents:'));
  return table(section).slice(1);
}

describe('simulated pods of a StatefulSet', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(SIM_ARGS);
    await c.ok(['apply', '-f', c.writeFile('web.yaml', WEB_YAML)]);
    assertRolloutStatus(await c.ok(['rollout', 'status', 'sts/web']), 'partitioned roll out complete: 2 new pods have been updated...');
  });
  after(async () => {
    await c.destroy();
  });

  it('kubectl logs returns the lines the simulated container wrote', async () => {
    assert.equal(await c.ok(['logs', 'web-0']), '[sim] started container nginx (image k8s.gcr.io/nginx-slim:0.8)\n[sim] ready\n');
    assert.equal(await c.ok(['logs', 'web-0', '--tail=1']), '[sim] ready\n');
    assert.equal(await c.ok(['logs', 'web-0', '-c', 'nginx', '--tail=0']), '');
    const stamped = await c.ok(['logs', 'web-0', '--timestamps']);
    assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \[sim\] started container nginx/);
    assert.equal(await c.ok(['logs', 'sts/web']), '[sim] started container nginx (image k8s.gcr.io/nginx-slim:0.8)\n[sim] ready\n');

    const previous = await c.kubectl(['logs', 'web-0', '--previous']);
    assert.equal(previous.code, 1);
    assert.equal(previous.stderr, 'Error from server (BadRequest): previous terminated container "nginx" in pod "web-0" not found\n');
  });

  it('kubectl logs -f streams until the pod is deleted, then exits 0', async () => {
    const follow = await startFollow(c, ['logs', 'web-1', '-f']);
    await waitUntil('the followed log to show the container ready', async () => follow.stdout().includes('[sim] ready\n'));
    const old = (await pods(c)).get('web-1')!.uid;
    await c.ok(['delete', 'pod', 'web-1']);
    const done = await follow.done;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(
      done.stdout,
      '[sim] started container nginx (image k8s.gcr.io/nginx-slim:0.8)\n[sim] ready\n[sim] received SIGTERM, shutting down\n[sim] exited with code 0\n',
    );
    // The set brings web-1 back; it is a new pod with a fresh log.
    await waitUntil('web-1 to come back', async () => {
      const p = (await pods(c)).get('web-1');
      return p && p.uid !== old && p.ready;
    });
    assert.equal(await c.ok(['logs', 'web-1']), '[sim] started container nginx (image k8s.gcr.io/nginx-slim:0.8)\n[sim] ready\n');
  });

  it('kubectl exec fails with a message naming the simulated runtime', async () => {
    const r = await c.kubectl(['exec', 'web-0', '--', 'ls']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    // The node refuses after the stream opened, on the error channel, as a kubelet reports exec failures.
    assert.equal(r.stderr, 'error: exec is not available: pod web-0 runs on the simulated runtime (sim); start k8ts with the process runtime to exec into pods\n');
  });

  it('kubectl describe pod shows the scheduler and kubelet events in order', async () => {
    const out = await c.ok(['describe', 'pod', 'web-0']);
    assert.match(out, /^Name:\s+web-0$/m);
    assert.match(out, /^Controlled By:\s+StatefulSet\/web$/m);
    assert.match(out, /^Status:\s+Running$/m);
    const events = describedEvents(out);
    assert.deepEqual(events[0], ['Type', 'Reason', 'Age', 'From', 'Message']);
    const rows = events.slice(2).map(([type, reason, , from, message]) => [type, reason, from, message]);
    const wanted = [
      ['Normal', 'Scheduled', 'default-scheduler', 'Successfully assigned default/web-0 to k8ts'],
      ['Normal', 'Pulled', 'kubelet', 'Container image "k8s.gcr.io/nginx-slim:0.8" already present on machine'],
      ['Normal', 'Created', 'kubelet', 'Created container nginx'],
      ['Normal', 'Started', 'kubelet', 'Started container nginx'],
    ];
    const positions = wanted.map((w) => rows.findIndex((r) => JSON.stringify(r) === JSON.stringify(w)));
    assert.ok(positions.every((p) => p >= 0), `events missing:\n${out}`);
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, 'Scheduled, Pulled, Created, Started in this order');
  });

  it('kubectl describe sts shows the claims and pods the controller created', async () => {
    const out = await c.ok(['describe', 'sts', 'web']);
    assert.match(out, /^Replicas:\s+2 desired \| 2 total$/m);
    assert.match(out, /^Update Strategy:\s+RollingUpdate$/m);
    assert.match(out, /^Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
    const rows = describedEvents(out).slice(2);
    const created = rows.filter(([, reason, , from]) => reason === 'SuccessfulCreate' && from === 'statefulset-controller').map((r) => r[4]);
    for (const message of [
      'create Claim www-web-0 Pod web-0 in StatefulSet web success',
      'create Pod web-0 in StatefulSet web successful',
      'create Claim www-web-1 Pod web-1 in StatefulSet web success',
      'create Pod web-1 in StatefulSet web successful',
    ]) {
      assert.ok(created.includes(message), `missing SuccessfulCreate "${message}" in:\n${out}`);
    }
  });

  it('kubectl get events lists events from every component', async () => {
    const rows = table(await c.ok(['get', 'events']));
    assert.deepEqual(rows[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    const has = (reason: string, object: string) => rows.some((r) => r[2] === reason && r[3] === object);
    assert.ok(has('SuccessfulCreate', 'statefulset/web'));
    assert.ok(has('Scheduled', 'pod/web-0'));
    assert.ok(has('Started', 'pod/web-0'));
    assert.ok(has('Killing', 'pod/web-1'), 'the deleted web-1 was stopped');
    assert.ok(has('ProvisioningSucceeded', 'persistentvolumeclaim/www-web-0'), 'the provisioner reports the claim');
    assert.ok(has('Starting', 'node/k8ts'), 'the node reports its kubelet starting');

    const forPod = await c.json(['get', 'events', '--field-selector', 'involvedObject.name=web-0,reason=Started']);
    assert.ok(forPod.items.length >= 1);
    for (const e of forPod.items) {
      assert.equal(e.involvedObject.kind, 'Pod');
      assert.equal(e.involvedObject.fieldPath, 'spec.containers{nginx}');
      assert.equal(e.source.component, 'kubelet');
      assert.equal(e.source.host, 'k8ts');
    }
  });
});

/** A long-running kubectl whose whole output is read when it exits. */
function startFollow(c: Cluster, args: string[]): { stdout: () => string; done: Promise<Result> } {
  const p = spawn('kubectl', [...args, '--kubeconfig', c.kubeconfig, '--cache-dir', c.cacheDir], { env: { ...process.env, HOME: c.home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d) => (stdout += d));
  p.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<Result>((resolve) => {
    const t = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  return { stdout: () => stdout, done };
}
