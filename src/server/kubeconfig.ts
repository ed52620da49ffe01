// The kubeconfig that points kubectl at this server: one cluster, one bearer-token user, one context.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  token: string;
  /** Name of the cluster, user and context; `k8ts` unless given. */
  name?: string;
}

export function kubeconfigDocument(opts: KubeconfigOptions): Record<string, unknown> {
  const name = opts.name ?? 'k8ts';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: opts.server,
          'certificate-authority-data': Buffer.from(opts.caPem).toString('base64'),
        },
      },
    ],
    users: [{ name, user: { token: opts.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  };
}

/** Writes the kubeconfig with mode 0600 (it holds the admin token), replacing any file at path atomically. */
export function writeKubeconfig(file: string, opts: KubeconfigOptions): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, stringify(kubeconfigDocument(opts)), { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
