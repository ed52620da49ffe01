// Issue #9 figure: 100 CronJobs scheduled every minute, one simulated day on a virtual clock (the
// in-process API with the CronJob controller; a stand-in for the Job controller marks each Job
// Complete as soon as it exists, so history limits prune them). Prints the wall time and whether every
// scheduled run happened exactly once; asserts nothing.
import { REFS } from '../dist/client/client.js';
import { CronJobController } from '../dist/controllers/cronjob/cronjob_controller.js';
import { rfc3339, VirtualClock } from '../dist/machinery/clock.js';
import { EventTTL } from '../dist/registry/eventttl.js';
import { testCluster } from '../dist/testing/fixture.js';

const CRONJOBS = 100;
const MINUTES = 24 * 60;
const NS = 'default';
const out = (label, value) => console.log(`${label.padEnd(52)} ${value}`);

const start = Date.parse('2026-01-01T00:00:30Z');
const clock = new VirtualClock(start);
const cluster = await testCluster(clock);
const controller = new CronJobController(cluster.ctx);
// As in the server: events expire after an hour of (virtual) time.
const eventTTL = new EventTTL(cluster.registry, clock);
eventTTL.start();
const jobs = cluster.client.resource(REFS.jobs);
const runs = new Map(); // "<cronjob>/<scheduled minute>" -> jobs created for it
let created = 0;
const finishing = [];
cluster.informers.get(REFS.jobs).addHandler({
  add: (job) => {
    const owner = job.metadata.ownerReferences?.[0]?.name;
    const key = `${owner}/${job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']}`;
    runs.set(key, (runs.get(key) ?? 0) + 1);
    created++;
    const now = rfc3339(clock.now());
    const cond = (type) => ({ type, status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: now, lastTransitionTime: now });
    finishing.push(
      jobs.updateStatus(NS, { ...job, status: { startTime: now, completionTime: now, succeeded: 1, conditions: [cond('SuccessCriteriaMet'), cond('Complete')] } }).catch((e) => {
        if (e.code !== 404) throw e;
      }),
    );
  },
});
await cluster.start();
controller.start();
for (let i = 0; i < CRONJOBS; i++) {
  await cluster.client.resource(REFS.cronjobs).create(NS, {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: `cron-${i}` },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' } } } } },
  });
}
await new Promise((r) => setTimeout(r, 200));

const t0 = performance.now();
for (let m = 1; m <= MINUTES; m++) {
  await clock.advance(60_000);
  // Let the minute's creates, completions and history pruning land before the clock moves on.
  while (created < m * CRONJOBS) await new Promise((r) => setImmediate(r));
  await Promise.all(finishing.splice(0));
  if (m % 240 === 0) out(`  simulated ${m / 60} h`, `${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${created} jobs`);
}
await new Promise((r) => setTimeout(r, 500));
const wall = (performance.now() - t0) / 1000;

let missing = 0;
let duplicated = 0;
for (let i = 0; i < CRONJOBS; i++) {
  for (let m = 1; m <= MINUTES; m++) {
    const n = runs.get(`cron-${i}/${new Date(start - 30_000 + m * 60_000).toISOString().replace('.000Z', 'Z')}`) ?? 0;
    if (n === 0) missing++;
    if (n > 1) duplicated++;
  }
}
const left = (await jobs.list(NS)).items.length;
out('100 CronJobs every minute, one simulated day', `${wall.toFixed(1)} s wall for ${created} runs (${(created / wall).toFixed(0)} runs/s)`);
out('  scheduled runs missed / run twice', `${missing} / ${duplicated} of ${CRONJOBS * MINUTES}`);
out('  Jobs left after history limits', `${left} (successfulJobsHistoryLimit 3 each: ${3 * CRONJOBS})`);
controller.stop();
eventTTL.stop();
cluster.stop();
