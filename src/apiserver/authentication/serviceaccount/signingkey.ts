// The service-account token signing key (the apiserver's --service-account-key-file / signing-key-file pair),
// kept under <dataDir>/pki/sa.key, and its public JWKS form as /openid/v1/jwks serves it.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
}

export interface JWK {
  use: 'sig';
  kty: 'RSA';
  kid: string;
  alg: 'RS256';
  n: string;
  e: string;
}

/** pkg/serviceaccount/jwt.go keyIDFromPublicKey: unpadded base64url of SHA-256 over the PKIX DER public key. */
export function keyIdFromPublicKey(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

export function signingKeyFromPrivateKey(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: keyIdFromPublicKey(publicKey) };
}

export function loadOrCreateSigningKey(dataDir: string): SigningKey {
  const dir = join(dataDir, 'pki');
  const file = join(dir, 'sa.key');
  if (existsSync(file)) return signingKeyFromPrivateKey(createPrivateKey(readFileSync(file, 'utf8')));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(file, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  chmodSync(file, 0o600); // the umask may have narrowed or the file pre-existed as empty
  return signingKeyFromPrivateKey(privateKey);
}

export function publicJwk(key: SigningKey): JWK {
  const j = key.publicKey.export({ format: 'jwk' });
  return { use: 'sig', kty: 'RSA', kid: key.kid, alg: 'RS256', n: String(j.n), e: String(j.e) };
}

export function jwks(keys: SigningKey[]): { keys: JWK[] } {
  return { keys: keys.map(publicJwk) };
}
