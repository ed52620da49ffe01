import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { Loose } from '../loose.js';
import { applyDefaults, generateJobSelector } from './index.js';

// The `web` StatefulSet of the StatefulSet basics tutorial (seed 001), as the user writes it.
const web = (): Loose<StatefulSet> => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web' },
  spec: {
    serviceName: 'nginx',
    replicas: 2,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'k8s.gcr.io/nginx-slim:0.8',
            ports: [{ containerPort: 80, name: 'web' }],
            volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
          },
        ],
      },
    },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
});

test('a bare StatefulSet gets the spec a v1.32 server returns', () => {
  const sts = web();
  applyDefaults('apps', 'StatefulSet', sts);
  // `kubectl get sts web -o yaml` on v1.32, less the creationTimestamp: null that Go adds when serializing.
  assert.deepEqual(sts.spec, {
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    podManagementPolicy: 'OrderedReady',
    replicas: 2,
    revisionHistoryLimit: 10,
    selector: { matchLabels: { app: 'nginx' } },
    serviceName: 'nginx',
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: {
        containers: [
          {
            image: 'k8s.gcr.io/nginx-slim:0.8',
            imagePullPolicy: 'IfNotPresent',
            name: 'nginx',
            ports: [{ containerPort: 80, name: 'web', protocol: 'TCP' }],
            resources: {},
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            volumeMounts: [{ mountPath: '/usr/share/nginx/html', name: 'www' }],
          },
        ],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
      },
    },
    updateStrategy: { rollingUpdate: { partition: 0 }, type: 'RollingUpdate' },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  });
  // Pod templates do not get the Pod-only defaults.
  assert.equal('enableServiceLinks' in (sts.spec?.template?.spec as object), false);
});

test('an explicit RollingUpdate without rollingUpdate stays without a partition', () => {
  const sts = web();
  sts.spec!.updateStrategy = { type: 'RollingUpdate' };
  applyDefaults('apps', 'StatefulSet', sts);
  assert.deepEqual(sts.spec?.updateStrategy, { type: 'RollingUpdate' });
});

test('Deployment, ReplicaSet and DaemonSet defaults', () => {
  const deploy: Loose<Deployment> = { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:latest' }] } } } };
  applyDefaults('apps', 'Deployment', deploy);
  assert.equal(deploy.spec?.replicas, 1);
  assert.deepEqual(deploy.spec?.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(deploy.spec?.revisionHistoryLimit, 10);
  assert.equal(deploy.spec?.progressDeadlineSeconds, 600);
  assert.equal(deploy.spec?.template?.spec?.containers?.[0]?.imagePullPolicy, 'Always');

  const recreate = { spec: { strategy: { type: 'Recreate' } } };
  applyDefaults('apps', 'Deployment', recreate);
  assert.deepEqual(recreate.spec.strategy, { type: 'Recreate' });

  const ds: Loose<DaemonSet> = { spec: {} };
  applyDefaults('apps', 'DaemonSet', ds);
  assert.deepEqual(ds.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec?.revisionHistoryLimit, 10);

  const rs: Loose<ReplicaSet> = { spec: {} };
  applyDefaults('apps', 'ReplicaSet', rs);
  assert.equal(rs.spec?.replicas, 1);
});

test('a Job gets completions, backoff and the 1.32 replacement policy, and its labels follow the selector', () => {
  const job: Loose<Job> = { metadata: { name: 'pi', uid: 'u1' }, spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } } } };
  applyDefaults('batch', 'Job', job);
  const { template, ...rest } = job.spec!;
  assert.deepEqual(rest, {
    completions: 1,
    parallelism: 1,
    backoffLimit: 6,
    completionMode: 'NonIndexed',
    suspend: false,
    podReplacementPolicy: 'TerminatingOrFailed',
    manualSelector: false,
  });
  generateJobSelector(job);
  assert.deepEqual(job.spec?.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } });
  assert.deepEqual(template?.metadata?.labels, {
    'job-name': 'pi',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'u1',
    'batch.kubernetes.io/controller-uid': 'u1',
  });

  const parallel: Loose<Job> = { spec: { parallelism: 3, backoffLimitPerIndex: 1, template: { metadata: { labels: { a: 'b' } } } } };
  applyDefaults('batch', 'Job', parallel);
  assert.equal(parallel.spec?.completions, undefined);
  assert.equal(parallel.spec?.backoffLimit, 2147483647);
  assert.deepEqual(parallel.metadata?.labels, { a: 'b' });
});

test('a CronJob gets its policy defaults and its job template only the pod template defaults', () => {
  const cj: Loose<CronJob> = { spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } } } };
  applyDefaults('batch', 'CronJob', cj);
  assert.equal(cj.spec?.concurrencyPolicy, 'Allow');
  assert.equal(cj.spec?.suspend, false);
  assert.equal(cj.spec?.successfulJobsHistoryLimit, 3);
  assert.equal(cj.spec?.failedJobsHistoryLimit, 1);
  assert.equal(cj.spec?.jobTemplate?.spec?.backoffLimit, undefined);
  assert.equal(cj.spec?.jobTemplate?.spec?.template?.spec?.restartPolicy, 'Always');
});
