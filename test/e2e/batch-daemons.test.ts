// Jobs, CronJobs and DaemonSets with the real kubectl on simulated nodes: a Job's pod finishes by
// itself, `kubectl wait --for=condition=complete` returns, a scripted failure exhausts the back-off
// limit, a Job made from a CronJob runs the field report's backup command (seed 002), and a DaemonSet
// runs one pod on each of three nodes.

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
  backoffLimit: 0
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
    c = await startCluster(['--nodes', '3', '--sim-start-delay', '0']);
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

  it('a failing pod exhausts backoffLimit and the Job is Failed with BackoffLimitExceeded', async () => {
    await c.ok(['apply', '-f', '-'], FAILING);
    assert.equal(await c.ok(['wait', '--for=condition=failed', 'job/flaky', '--timeout=30s']), 'job.batch/flaky condition met\n');
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

  it('a DaemonSet runs one pod on each node, the control plane included through its toleration', async () => {
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
});
