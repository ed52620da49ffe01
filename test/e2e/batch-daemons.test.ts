// Jobs, CronJobs and DaemonSets with the real kubectl on simulated nodes: a Job's pod finishes by
// itself, `kubectl wait --for=condition=complete` returns, parallel pods with a scripted failure
// exhaust the back-off limit, a Job made from a CronJob runs the field report's backup command
// (seed 002), a Forbid CronJob runs on its schedule, and a DaemonSet runs one pod on each of four
// nodes but the tainted one.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../../src/client/objects.js';
import { startCluster, table, type Cluster } from './harness.js';
import { eventually } from './pod-watch.js';

const FAILING = `apiVersion: batch/v1
kind: Job
metadata: {name: flaky}
spec:
  parallelism: 2
  completions: 4
  backoffLimit: 1
  template:
    metadata:
      annotations: {sim.k8ts.io/exit-code: "1"}
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox, command: [sh, -c, "exit 1"]}]
`;

const BACKUP = `apiVersion: batch/v1
kind: CronJob
metadata: {name: mariadb-backup}
spec:
  schedule: "0 3 * * *"
  successfulJobsHistoryLimit: 3
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: backup
            image: mariadb:10.11
            command: [sh, -c, "mysqldump --all-databases > /backup/all.sql"]
`;

const FLUENTD = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
  labels: {k8s-app: fluentd-logging}
spec:
  selector:
    matchLabels: {name: fluentd-elasticsearch}
  template:
    metadata:
      labels: {name: fluentd-elasticsearch}
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
`;

describe('Jobs, CronJobs and DaemonSets', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--nodes', '4', '--sim-start-delay', '0']);
  });
  after(async () => {
    await c?.destroy();
  });

  it('a Job completes by itself and kubectl wait returns', async () => {
    assert.equal(await c.ok(['create', 'job', 'pi', '--image=perl:5.34.0', '--', 'perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)']), 'job.batch/pi created\n');
    assert.equal(await c.ok(['wait', '--for=condition=complete', 'job/pi', '--timeout=30s']), 'job.batch/pi condition met\n');
    const rows = table(await c.ok(['get', 'jobs', 'pi']));
    assert.deepEqual(rows[0].slice(0, 3), ['NAME', 'STATUS', 'COMPLETIONS']);
    assert.deepEqual(rows[1].slice(0, 3), ['pi', 'Complete', '1/1']);
    const pods = (await c.json<{ items: Stored<Pod>[] }>(['get', 'pods', '-l', 'job-name=pi'])).items;
    assert.equal(pods.length, 1);
    assert.equal(pods[0].status?.phase, 'Succeeded');
    assert.match(table(await c.ok(['get', 'pods', '-l', 'job-name=pi']))[1][2], /^Completed$/);
  });

  it('failing parallel pods exhaust backoffLimit and the Job is Failed with BackoffLimitExceeded', async () => {
    await c.ok(['apply', '-f', '-'], FAILING);
    // Two pods at once fail, which is past a limit of one failure: no back-off wait is needed to get there.
    assert.equal(await c.ok(['wait', '--for=condition=failed', 'job/flaky', '--timeout=40s']), 'job.batch/flaky condition met\n');
    const pods = (await c.json<{ items: Stored<Pod>[] }>(['get', 'pods', '-l', 'job-name=flaky'])).items;
    assert.ok(pods.length >= 2 && pods.every((p) => p.status?.phase === 'Failed'), pods.map((p) => `${p.metadata.name} ${p.status?.phase}`).join(', '));
    const job = await c.json<{ status: { conditions: Array<{ type: string; reason: string; message: string }> } }>(['get', 'job', 'flaky']);
    const failed = job.status.conditions.find((x) => x.type === 'Failed')!;
    assert.equal(failed.reason, 'BackoffLimitExceeded');
    assert.equal(failed.message, 'Job has reached the specified backoff limit');
  });

  it('a Job made from a CronJob with kubectl create job --from runs its command to completion', async () => {
    assert.equal(await c.ok(['apply', '-f', '-'], BACKUP), 'cronjob.batch/mariadb-backup created\n');
    assert.match(table(await c.ok(['get', 'cronjob', 'mariadb-backup']))[1].join(' '), /^mariadb-backup 0 3 \* \* \* <none> False 0 <none>/);
    assert.equal(await c.ok(['create', 'job', 'backup-now', '--from=cronjob/mariadb-backup']), 'job.batch/backup-now created\n');
    assert.equal(await c.ok(['wait', '--for=condition=complete', 'job/backup-now', '--timeout=30s']), 'job.batch/backup-now condition met\n');
    const job = await c.json<{ metadata: { ownerReferences?: Array<{ kind: string; name: string }>; annotations?: Record<string, string> } }>(['get', 'job', 'backup-now']);
    assert.deepEqual(job.metadata.ownerReferences?.map((o) => [o.kind, o.name]), [['CronJob', 'mariadb-backup']]);
    assert.equal(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
  });

  it('a DaemonSet runs one pod on each node but the tainted one, the control plane included through its toleration', async () => {
    assert.equal(await c.ok(['taint', 'nodes', 'k8ts-m04', 'dedicated=gpu:NoSchedule']), 'node/k8ts-m04 tainted\n');
    assert.equal(await c.ok(['apply', '-f', '-'], FLUENTD), 'daemonset.apps/fluentd-elasticsearch created\n');
    assert.match(await c.ok(['rollout', 'status', 'ds/fluentd-elasticsearch', '-n', 'kube-system', '--timeout=30s']), /daemon set "fluentd-elasticsearch" successfully rolled out/);
    const pods = await eventually(async () => {
      const items = (await c.json<{ items: Stored<Pod>[] }>(['get', 'pods', '-n', 'kube-system', '-l', 'name=fluentd-elasticsearch'])).items;
      assert.equal(items.filter((p) => p.status?.phase === 'Running').length, 3);
      return items;
    });
    assert.deepEqual(pods.map((p) => p.spec?.nodeName).sort(), ['k8ts', 'k8ts-m02', 'k8ts-m03']);
    const rows = table(await c.ok(['get', 'ds', '-n', 'kube-system']));
    assert.deepEqual(rows[0].slice(0, 6), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE']);
    assert.deepEqual(rows[1].slice(0, 6), ['fluentd-elasticsearch', '3', '3', '3', '3', '3']);
  });

  // The schedule is real time: the first run comes at the next minute, the second a minute later.
  it('a Forbid CronJob runs every minute on schedule, each run once', { timeout: 180_000 }, async () => {
    await c.ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/1 * * * *', '--', 'sh', '-c', 'date']);
    await c.ok(['patch', 'cronjob', 'tick', '-p', '{"spec":{"concurrencyPolicy":"Forbid"}}']);
    const jobs = await eventually(async () => {
      const items = (await c.json<{ items: Array<{ metadata: { name: string; annotations?: Record<string, string> }; status?: { succeeded?: number } }> }>(['get', 'jobs', '-l', 'batch.kubernetes.io/job-name'])).items.filter((j) => j.metadata.name.startsWith('tick-'));
      assert.ok(items.filter((j) => j.status?.succeeded === 1).length >= 2, `${items.length} runs so far`);
      return items;
    }, 150_000);
    const minutes = jobs.map((j) => Number(j.metadata.name.slice('tick-'.length)));
    assert.equal(new Set(minutes).size, minutes.length, 'each scheduled minute ran once');
    for (const j of jobs) assert.match(j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    const cj = await c.json<{ status: { lastScheduleTime?: string; lastSuccessfulTime?: string } }>(['get', 'cronjob', 'tick']);
    assert.ok(cj.status.lastScheduleTime && cj.status.lastSuccessfulTime);
  });
});
