import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwks, keyIdFromPublicKey, loadOrCreateSigningKey } from './signingkey.js';

test('creates pki/sa.key with mode 0600 and reloads the same key id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-sa-'));
  try {
    const first = loadOrCreateSigningKey(dir);
    const file = join(dir, 'pki', 'sa.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(first.privateKey.asymmetricKeyDetails?.modulusLength, 2048);
    const again = loadOrCreateSigningKey(dir);
    assert.equal(again.kid, first.kid);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kid is the unpadded base64url SHA-256 of the PKIX DER public key, stable for a key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-sa-'));
  try {
    const key = loadOrCreateSigningKey(dir);
    const der = key.publicKey.export({ type: 'spki', format: 'der' });
    const expected = createHash('sha256').update(der).digest('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    assert.equal(key.kid, expected);
    assert.equal(key.kid.length, 43);
    assert.equal(keyIdFromPublicKey(createPublicKey(key.privateKey)), key.kid);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('jwks lists the public keys as /openid/v1/jwks serves them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-sa-'));
  try {
    const key = loadOrCreateSigningKey(dir);
    const doc = jwks([key]);
    assert.equal(doc.keys.length, 1);
    const [k] = doc.keys;
    assert.deepEqual(Object.keys(k), ['use', 'kty', 'kid', 'alg', 'n', 'e']);
    assert.equal(k.kid, key.kid);
    assert.equal(k.e, 'AQAB');
    assert.equal(Buffer.from(k.n, 'base64url').length, 256);
    assert.ok(!('d' in k), 'no private material');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
