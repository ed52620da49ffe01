// The cluster CA and the kube-apiserver serving certificate, generated on first start and kept in <dataDir>/pki.
import { KeyObject, X509Certificate as NodeX509Certificate, randomBytes, webcrypto } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as X509 from '@peculiar/x509';
import { realClock, type Clock } from '../machinery/clock.js';

export interface CertificateBundle {
  caPem: string;
  certPem: string;
  keyPem: string;
}

interface CertAndKey {
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_MS = 10 * 365 * DAY_MS;
const SERVING_VALIDITY_MS = 365 * DAY_MS;
// Issue a new serving certificate (or CA) once the old one is this close to expiring.
const RENEW_BEFORE_MS = 30 * DAY_MS;
// Backdate notBefore so a client whose clock is slightly behind still accepts a fresh certificate.
const BACKDATE_MS = 5 * 60 * 1000;

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

// The names kube-apiserver puts in its self-signed serving certificate (cmd/kube-apiserver/app/options: alternate DNS).
export const SERVING_SANS: readonly X509.JsonGeneralName[] = [
  { type: 'ip', value: '127.0.0.1' },
  { type: 'ip', value: '::1' },
  { type: 'dns', value: 'localhost' },
  { type: 'dns', value: 'kubernetes' },
  { type: 'dns', value: 'kubernetes.default' },
  { type: 'dns', value: 'kubernetes.default.svc' },
  { type: 'dns', value: 'kubernetes.default.svc.cluster.local' },
];

export function pkiDir(dataDir: string): string {
  return path.join(dataDir, 'pki');
}

/** Loads the CA and serving certificate from <dir>/pki, creating or renewing whichever is missing or near expiry. */
export async function ensureCertificates(dir: string, clock: Clock = realClock): Promise<CertificateBundle> {
  const pki = pkiDir(dir);
  fs.mkdirSync(pki, { recursive: true, mode: 0o700 });
  const now = clock.now();

  let ca = readPair(pki, 'ca');
  let caRenewed = false;
  if (!ca || !usable(ca.certPem, now)) {
    ca = await createCA(now);
    writePair(pki, 'ca', ca);
    caRenewed = true;
  }

  let serving = caRenewed ? undefined : readPair(pki, 'apiserver');
  if (!serving || !usable(serving.certPem, now) || !issuedBy(serving.certPem, ca.certPem)) {
    serving = await issueServing(ca, now);
    writePair(pki, 'apiserver', serving);
  }
  return { caPem: ca.certPem, certPem: serving.certPem, keyPem: serving.keyPem };
}

/** The bearer token of the cluster admin, a random 32-byte hex string kept in <dir>/pki/admin.token. */
export function ensureAdminToken(dir: string): string {
  const pki = pkiDir(dir);
  fs.mkdirSync(pki, { recursive: true, mode: 0o700 });
  const file = path.join(pki, 'admin.token');
  const existing = readIfExists(file)?.trim();
  if (existing) return existing;
  const token = randomBytes(32).toString('hex');
  writeSecret(file, token + '\n');
  return token;
}

async function createCA(now: number): Promise<CertAndKey> {
  const x509 = await loadX509();
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=k8ts-ca',
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_VALIDITY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: privateKeyPem(keys.privateKey) };
}

async function issueServing(ca: CertAndKey, now: number): Promise<CertAndKey> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', pemBody(ca.keyPem), KEY_ALGORITHM, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    subject: 'CN=kube-apiserver',
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + SERVING_VALIDITY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([...SERVING_SANS]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: privateKeyPem(keys.privateKey) };
}

function usable(certPem: string, now: number): boolean {
  try {
    const cert = new NodeX509Certificate(certPem);
    return Date.parse(cert.validFrom) <= now && now < Date.parse(cert.validTo) - RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

function issuedBy(certPem: string, caPem: string): boolean {
  try {
    const ca = new NodeX509Certificate(caPem);
    return new NodeX509Certificate(certPem).verify(ca.publicKey);
  } catch {
    return false;
  }
}

function privateKeyPem(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

function readPair(pki: string, name: string): CertAndKey | undefined {
  const certPem = readIfExists(path.join(pki, `${name}.crt`));
  const keyPem = readIfExists(path.join(pki, `${name}.key`));
  return certPem && keyPem ? { certPem, keyPem } : undefined;
}

function writePair(pki: string, name: string, pair: CertAndKey): void {
  writeSecret(path.join(pki, `${name}.key`), pair.keyPem);
  fs.writeFileSync(path.join(pki, `${name}.crt`), pair.certPem, { mode: 0o644 });
}

function writeSecret(file: string, content: string): void {
  fs.writeFileSync(file, content, { mode: 0o600 });
  // mode only applies when the file is created; tighten a file that already existed.
  fs.chmodSync(file, 0o600);
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

let x509Module: Promise<typeof X509> | undefined;

// @peculiar/x509 refuses to load without a Reflect metadata API (its tsyringe dependency checks at import time),
// so install a minimal one first and import the library lazily, only when a certificate must be made.
function loadX509(): Promise<typeof X509> {
  x509Module ??= (async () => {
    installReflectMetadata();
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    return x509;
  })();
  return x509Module;
}

type MetadataReflect = typeof Reflect & {
  getMetadata?: (key: unknown, target: object) => unknown;
  getOwnMetadata?: (key: unknown, target: object) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object) => void;
};

function installReflectMetadata(): void {
  const r = Reflect as MetadataReflect;
  if (r.getMetadata) return;
  const store = new WeakMap<object, Map<unknown, unknown>>();
  r.defineMetadata = (key, value, target) => {
    let own = store.get(target);
    if (!own) store.set(target, (own = new Map()));
    own.set(key, value);
  };
  r.getOwnMetadata = (key, target) => store.get(target)?.get(key);
  r.getMetadata = (key, target) => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
      const own = store.get(t);
      if (own?.has(key)) return own.get(key);
    }
    return undefined;
  };
}
