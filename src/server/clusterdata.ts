// What makes several servers one cluster, kept in the shared etcd as k3s keeps its bootstrap data in its
// datastore: the CA, the service-account signing key and the admin token. The first server to start
// stores its own; every later one takes them into its data directory (pki/) before it starts, and
// issues its own serving certificate from the shared CA. With a token the data is encrypted
// (AES-256-GCM, key derived by scrypt), so reading etcd alone does not give the cluster's keys.

import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { pkiDir } from '../apiserver/certs.js';

/** Outside `/registry`, so the watch cache never takes it for an object. */
export const CLUSTER_DATA_KEY = '/k8ts/bootstrap';

/** The files of pki/ that are the cluster's, not the server's (apiserver.crt/key are each server's own). */
const SHARED_FILES: Record<string, number> = { 'ca.crt': 0o644, 'ca.key': 0o600, 'sa.key': 0o600, 'admin.token': 0o600 };

interface Sealed {
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

type Stored = { files: Record<string, string> } | { sealed: Sealed };

function keyFrom(token: string, salt: Buffer): Buffer {
  return scryptSync(token, salt, 32);
}

function seal(files: Record<string, string>, token: string): Sealed {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(token, salt), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(files), 'utf8'), cipher.final()]);
  return { salt: salt.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function unseal(s: Sealed, token: string): Record<string, string> {
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(token, Buffer.from(s.salt, 'base64')), Buffer.from(s.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(s.tag, 'base64'));
  try {
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(s.data, 'base64')), decipher.final()]).toString('utf8'));
  } catch {
    throw new Error('the cluster data in etcd does not open with this --token: start with the token the first server was given');
  }
}

/** Decodes what etcd holds under CLUSTER_DATA_KEY. */
export function openClusterData(raw: string, token: string | undefined): Record<string, string> {
  const stored = JSON.parse(raw) as Stored;
  if ('files' in stored) {
    if (token) throw new Error('the cluster data in etcd is not encrypted, but --token was given: start without --token, as the first server was');
    return stored.files;
  }
  if (!token) throw new Error('the cluster data in etcd is encrypted: start with the --token the first server was given');
  return unseal(stored.sealed, token);
}

export function sealClusterData(files: Record<string, string>, token: string | undefined): string {
  return JSON.stringify(token ? { sealed: seal(files, token) } : { files });
}

/**
 * Make pki/ of `dataDir` hold the cluster's shared files. `createLocal` makes this server's own (CA,
 * signing key, admin token) when the cluster has none yet; they are offered to etcd create-if-absent,
 * and a server that loses that race takes the winner's.
 */
export async function joinCluster(endpoints: string[], dataDir: string, token: string | undefined, createLocal: () => Promise<void>): Promise<'created' | 'joined'> {
  const client = new Etcd3({ hosts: endpoints, dialTimeout: 5000 });
  try {
    let raw = await client
      .get(CLUSTER_DATA_KEY)
      .string()
      .catch((e: Error) => {
        throw new Error(`cannot reach etcd at ${endpoints.join(',')}: ${grpcReason(e)}`);
      });
    let outcome: 'created' | 'joined' = 'joined';
    if (raw === null) {
      await createLocal();
      const mine = sealClusterData(readShared(dataDir), token);
      const result = await client.if(CLUSTER_DATA_KEY, 'Create', '==', 0).then(client.put(CLUSTER_DATA_KEY).value(mine)).else(client.get(CLUSTER_DATA_KEY)).commit();
      if (result.succeeded) outcome = 'created';
      raw = result.succeeded ? mine : (result.responses[0].response_range?.kvs[0]?.value.toString('utf8') ?? null);
      if (raw === null) throw new Error(`${CLUSTER_DATA_KEY} vanished from etcd while this server was joining`);
    }
    writeShared(dataDir, openClusterData(raw, token));
    return outcome;
  } finally {
    client.close();
  }
}

/** The cause inside a gRPC connection error (`14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED ...`). */
function grpcReason(e: Error): string {
  const m = /Last error: (?:Error: )?([^.]*(?:\.\d+)*[^.]*)/.exec(e.message);
  return (m ? m[1] : e.message).trim();
}

function readShared(dataDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of Object.keys(SHARED_FILES)) files[name] = fs.readFileSync(path.join(pkiDir(dataDir), name), 'utf8');
  return files;
}

function writeShared(dataDir: string, files: Record<string, string>): void {
  const dir = pkiDir(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [name, mode] of Object.entries(SHARED_FILES)) {
    const content = files[name];
    if (content === undefined) throw new Error(`the cluster data in etcd has no ${name}`);
    const file = path.join(dir, name);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) continue;
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
  }
}
