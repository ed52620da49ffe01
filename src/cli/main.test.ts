import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../testing/tmpdir.js';

// dist/cli/main.test.js -> <root>/bin/k8ts.js; the shim runs the compiled CLI, as users do.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'k8ts.js');

function k8ts(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, K8TS_DEBUG: '' } });
}

function assertUsageError(args: string[], line: string): void {
  const r = k8ts(...args);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `${line}\n`);
}

test('a bad --port value exits 2 with one error line', () => {
  assertUsageError(['server', '--port', 'abc'], 'k8ts: error: invalid value for --port: "abc" is not an integer from 0 to 65535');
});

test('an unknown flag exits 2 with one error line', () => {
  assertUsageError(['server', '--bogus'], "k8ts: error: unknown option '--bogus'");
});

test('a misspelt flag gets a suggestion on the same line', () => {
  assertUsageError(['server', '--prot', '1'], "k8ts: error: unknown option '--prot' (Did you mean --port?)");
});

test('a flag without its value and an unknown command are usage errors', () => {
  assertUsageError(['server', '--port'], "k8ts: error: option '--port <port>' argument missing");
  assertUsageError(['serve'], "k8ts: error: unknown command 'serve' (Did you mean server?)");
});

test('bad durations and node counts are usage errors', () => {
  assertUsageError(
    ['server', '--sim-start-delay', '2'],
    'k8ts: error: invalid value for --sim-start-delay: missing unit in duration "2" (examples: 0, 200ms, 2s, 1m)',
  );
  assertUsageError(['server', '--nodes', '0'], 'k8ts: error: invalid value for --nodes: "0" is not an integer of at least 1');
});

test('version prints the package version and the Kubernetes API version', () => {
  const r = k8ts('version');
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `k8ts ${version} (Kubernetes v1.32.4 API)\n`);
});

test('help lists the commands, and server help explains every flag', () => {
  const top = k8ts('--help');
  assert.equal(top.status, 0);
  assert.match(top.stdout, /^Usage: k8ts /);
  for (const command of ['server', 'version']) assert.match(top.stdout, new RegExp(`^  ${command}\\b`, 'm'));
  const server = k8ts('server', '--help');
  assert.equal(server.status, 0);
  for (const flag of ['--data-dir <dir>', '--host <address>', '--port <port>', '--nodes <n>', '--sim-start-delay <duration>', '--sim-stop-delay <duration>']) {
    assert.match(server.stdout, new RegExp(`^  ${flag}  +\\S`, 'm'), `${flag} has a description`);
  }
});

function spawnServer(dataDir: string) {
  const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => stdout.includes('\n') && resolve(stdout));
    exited.then((code) => reject(new Error(`server exited ${code} before ready: ${stderr}`)));
  });
  return { child, ready, exited, output: () => ({ stdout, stderr }) };
}

test('server prints one ready line, refuses a second server on its data directory, and stops on SIGTERM', { timeout: 60_000 }, async (t) => {
  const dataDir = path.join(tempDir('k8ts-cli-'), 'data');
  const server = spawnServer(dataDir);
  t.after(() => server.child.kill('SIGKILL'));
  const line = await server.ready;
  assert.match(line, /^k8ts ready: https:\/\/127\.0\.0\.1:\d+ {2}kubeconfig: (.+)\n$/);
  assert.equal(line.split('  kubeconfig: ')[1].trim(), path.join(dataDir, 'kubeconfig'));
  assert.ok(fs.existsSync(path.join(dataDir, 'kubeconfig')));

  const second = k8ts('server', '--port', '0', '--data-dir', dataDir);
  assert.equal(second.status, 1);
  assert.equal(second.stdout, '');
  assert.equal(second.stderr, `k8ts: error: data directory ${dataDir} is in use by another k8ts server (pid ${server.child.pid})\n`);

  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, server.output().stderr);
  assert.equal(server.output().stdout.split('\n').filter(Boolean).length, 1);
  assert.equal(fs.existsSync(path.join(dataDir, 'k8ts.pid')), false);
});
