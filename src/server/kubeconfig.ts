// The kubeconfig that points kubectl at this server: one cluster, one bearer-token user, one context.
import fs from 'node:fs';
import path from 'node:path';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  token: string;
  /** Name of the cluster, user and context; `k8ts` unless given. */
  name?: string;
}

/** The document as YAML; every value is a JSON string, which YAML reads as a double-quoted scalar. */
function toYaml(opts: KubeconfigOptions): string {
  const name = JSON.stringify(opts.name ?? 'k8ts');
  const q = JSON.stringify;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${q(opts.server)}`,
    `    certificate-authority-data: ${q(Buffer.from(opts.caPem).toString('base64'))}`,
    'users:',
    `- name: ${name}`,
    '  user:',
    `    token: ${q(opts.token)}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    '    namespace: default',
    `current-context: ${name}`,
    'preferences: {}',
    '',
  ].join('\n');
}

/** Writes the kubeconfig with mode 0600 (it holds the admin token), replacing any file at path atomically. */
export function writeKubeconfig(file: string, opts: KubeconfigOptions): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, toYaml(opts), { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
