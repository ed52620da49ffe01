// `npm run bench`: every benchmark in turn, each printing its figures.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
console.log(`machine: ${os.cpus().length} x ${os.cpus()[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
for (const b of ['apiserver.mjs', 'scheduler.mjs', 'statefulset.mjs', 'store.mjs', 'workloads.mjs', 'cronjobs.mjs', 'disruptions.mjs', 'processpods.mjs']) {
  console.log(`\n# ${b}`);
  const r = spawnSync(process.execPath, [path.join(dir, b)], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
