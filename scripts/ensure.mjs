// Makes the checkout runnable: installs dependencies when the lockfiles changed since the last install,
// then builds. Progress goes to stderr so stdout stays free for the command that follows.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => path.join(root, p);
const mtime = (p) => statSync(at(p)).mtimeMs;

function needsInstall() {
  // npm writes node_modules/.package-lock.json at the end of every successful install.
  const installed = 'node_modules/.package-lock.json';
  if (!existsSync(at(installed))) return true;
  return ['package.json', 'package-lock.json'].some((f) => existsSync(at(f)) && mtime(f) > mtime(installed));
}

function run(step, command, args) {
  // The child's stdout joins our stderr.
  const r = spawnSync(command, args, { cwd: root, stdio: ['inherit', 2, 2] });
  if (r.error) fail(`${step}: ${r.error.message}`);
  if (r.status !== 0) fail(`${step} failed (exit ${r.status ?? r.signal})`);
}

function fail(message) {
  process.stderr.write(`k8ts: error: ${message}\n`);
  process.exit(1);
}

if (needsInstall()) {
  process.stderr.write('k8ts: installing dependencies...\n');
  // Under `npm run`, use the same npm that is running us.
  const npmCli = process.env.npm_execpath;
  if (npmCli && /npm-cli\.js$/.test(npmCli)) run('npm install', process.execPath, [npmCli, 'install']);
  else run('npm install', 'npm', ['install']);
}

process.stderr.write('k8ts: building...\n');
if (existsSync(at('scripts/build.mjs'))) run('build', process.execPath, [at('scripts/build.mjs')]);
else run('build', process.execPath, [at('node_modules/typescript/bin/tsc'), '-p', '.']);
