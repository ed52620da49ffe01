import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ensureAdminToken, ensureCertificates } from '../apiserver/certs.js';
import { writeKubeconfig } from './kubeconfig.js';
import { tempDir } from '../testing/tmpdir.js';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

function tempFile(): string {
  return path.join(tempDir('k8ts-kubeconfig-'), 'sub', 'kubeconfig');
}

test('the kubeconfig parses back to one cluster, user and context named k8ts', () => {
  const file = tempFile();
  writeKubeconfig(file, { server: 'https://127.0.0.1:6443', caPem: CA_PEM, token: 'abc123' });
  assert.deepEqual(parse(fs.readFileSync(file, 'utf8')), {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'k8ts',
        cluster: {
          server: 'https://127.0.0.1:6443',
          'certificate-authority-data': Buffer.from(CA_PEM).toString('base64'),
        },
      },
    ],
    users: [{ name: 'k8ts', user: { token: 'abc123' } }],
    contexts: [{ name: 'k8ts', context: { cluster: 'k8ts', user: 'k8ts', namespace: 'default' } }],
    'current-context': 'k8ts',
    preferences: {},
  });
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
});

test('a custom name is used for the cluster, user and context, and rewriting replaces the file', () => {
  const file = tempFile();
  writeKubeconfig(file, { server: 'https://127.0.0.1:1', caPem: CA_PEM, token: 'old' });
  writeKubeconfig(file, { server: 'https://127.0.0.1:2', caPem: CA_PEM, token: 'new', name: 'dev' });
  const doc = parse(fs.readFileSync(file, 'utf8'));
  assert.equal(doc['current-context'], 'dev');
  assert.deepEqual(doc.contexts[0].context, { cluster: 'dev', user: 'dev', namespace: 'default' });
  assert.equal(doc.clusters[0].cluster.server, 'https://127.0.0.1:2');
  assert.equal(doc.users[0].user.token, 'new');
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['kubeconfig']);
});

test('kubectl reads the kubeconfig', { skip: !hasKubectl && 'kubectl not installed' }, () => {
  const file = tempFile();
  writeKubeconfig(file, { server: 'https://127.0.0.1:6443', caPem: CA_PEM, token: 'abc123' });
  const out = spawnSync('kubectl', ['config', 'view', '--raw', '-o', 'json', '--kubeconfig', file], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const view = JSON.parse(out.stdout);
  assert.equal(view['current-context'], 'k8ts');
  assert.equal(view.users[0].user.token, 'abc123');
  assert.equal(view.contexts[0].context.namespace, 'default');
});

test('kubectl trusts the generated CA and sends the bearer token', { skip: !hasKubectl && 'kubectl not installed' }, async () => {
  const dir = tempDir('k8ts-kubeconfig-');
  const { caPem, certPem, keyPem } = await ensureCertificates(dir);
  const token = ensureAdminToken(dir);
  const seen: string[] = [];
  const server = https.createServer({ cert: certPem, key: keyPem }, (req, res) => {
    seen.push(`${req.url} ${req.headers.authorization}`);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const file = path.join(dir, 'kubeconfig');
    writeKubeconfig(file, { server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem, token });
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile('kubectl', ['version', '-o', 'json', '--kubeconfig', file], (err, out, errOut) =>
        err ? reject(new Error(errOut || err.message)) : resolve(out),
      ),
    );
    assert.equal(JSON.parse(stdout).serverVersion.gitVersion, 'v1.32.4');
    assert.ok(
      seen.some((s) => s.startsWith('/version') && s.endsWith(` Bearer ${token}`)),
      seen.join('\n'),
    );
  } finally {
    server.close();
  }
});
