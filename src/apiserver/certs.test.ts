import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { VirtualClock } from '../machinery/clock.js';
import { ensureAdminToken, ensureCertificates, type CertificateBundle } from './certs.js';
import { tempDir as testTempDir } from '../testing/tmpdir.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function tempDir(): string {
  return testTempDir('k8ts-certs-');
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

test('first call writes a CA and a serving certificate under pki/ with private keys 0600', async () => {
  const dir = tempDir();
  await ensureCertificates(dir);
  const pki = path.join(dir, 'pki');
  assert.deepEqual(fs.readdirSync(pki).sort(), ['apiserver.crt', 'apiserver.key', 'ca.crt', 'ca.key']);
  assert.equal(mode(path.join(pki, 'ca.key')), 0o600);
  assert.equal(mode(path.join(pki, 'apiserver.key')), 0o600);
  assert.match(fs.readFileSync(path.join(pki, 'apiserver.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
});

test('the CA is a self-signed 10-year P-256 CA named k8ts-ca', async () => {
  const { caPem } = await ensureCertificates(tempDir());
  const ca = new X509Certificate(caPem);
  assert.equal(ca.subject, 'CN=k8ts-ca');
  assert.equal(ca.issuer, 'CN=k8ts-ca');
  assert.equal(ca.ca, true);
  assert.ok(ca.verify(ca.publicKey));
  assert.equal(ca.publicKey.asymmetricKeyType, 'ec');
  assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const years = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365 * DAY_MS);
  assert.ok(years >= 10 && years < 10.01, `CA validity ${years} years`);
});

test('the serving certificate is signed by the CA, for serverAuth, with the apiserver SANs', async () => {
  const { caPem, certPem, keyPem } = await ensureCertificates(tempDir());
  const ca = new X509Certificate(caPem);
  const cert = new X509Certificate(certPem);
  assert.equal(cert.subject, 'CN=kube-apiserver');
  assert.equal(cert.ca, false);
  assert.ok(cert.verify(ca.publicKey));
  assert.ok(cert.checkIssued(ca));
  assert.ok(cert.checkPrivateKey(createPrivateKey(keyPem)));
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.equal(
    cert.subjectAltName,
    'IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, ' +
      'DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local',
  );
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY_MS;
  assert.ok(days >= 365 && days < 366, `serving validity ${days} days`);
  assert.ok(cert.checkIP('127.0.0.1'));
  assert.equal(cert.checkHost('kubernetes.default.svc'), 'kubernetes.default.svc');
  assert.equal(cert.checkHost('example.com'), undefined);
});

test('later calls read the same material back', async () => {
  const dir = tempDir();
  const first = await ensureCertificates(dir);
  const second = await ensureCertificates(dir);
  assert.deepEqual(second, first);
});

test('a serving certificate close to expiry is reissued by the same CA', async () => {
  const dir = tempDir();
  const first = await ensureCertificates(dir);
  const later = await ensureCertificates(dir, new VirtualClock(Date.now() + 340 * DAY_MS));
  assert.equal(later.caPem, first.caPem);
  assert.notEqual(later.certPem, first.certPem);
  assert.ok(new X509Certificate(later.certPem).checkIssued(new X509Certificate(first.caPem)));
});

test('a missing serving certificate is reissued without replacing the CA', async () => {
  const dir = tempDir();
  const first = await ensureCertificates(dir);
  fs.rmSync(path.join(dir, 'pki', 'apiserver.crt'));
  const second = await ensureCertificates(dir);
  assert.equal(second.caPem, first.caPem);
  assert.notEqual(second.keyPem, first.keyPem);
});

async function withServer(bundle: CertificateBundle, fn: (port: number) => Promise<void>): Promise<void> {
  const server = https.createServer({ cert: bundle.certPem, key: bundle.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn((server.address() as AddressInfo).port);
  } finally {
    server.close();
  }
}

function get(port: number, ca: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, ca, servername, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}

test('Node TLS clients trusting the CA accept the server by IP and by name', async () => {
  const bundle = await ensureCertificates(tempDir());
  await withServer(bundle, async (port) => {
    assert.equal(await get(port, bundle.caPem), 'ok');
    assert.equal(await get(port, bundle.caPem, 'localhost'), 'ok');
    assert.equal(await get(port, bundle.caPem, 'kubernetes.default.svc.cluster.local'), 'ok');
  });
});

test('TLS clients reject a name outside the SANs and a server from another CA', async () => {
  const bundle = await ensureCertificates(tempDir());
  const other = await ensureCertificates(tempDir());
  await withServer(bundle, async (port) => {
    await assert.rejects(get(port, bundle.caPem, 'example.com'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    await assert.rejects(get(port, other.caPem, 'localhost'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });
});

test('the admin token is 32 random bytes in hex, kept 0600 and stable across calls', () => {
  const dir = tempDir();
  const token = ensureAdminToken(dir);
  assert.match(token, /^[0-9a-f]{64}$/);
  assert.equal(ensureAdminToken(dir), token);
  assert.equal(mode(path.join(dir, 'pki', 'admin.token')), 0o600);
  assert.notEqual(ensureAdminToken(tempDir()), token);
});
