// `k8ts version`: the package version and the Kubernetes API version this server speaks.
import fs from 'node:fs';
import type { Command } from 'commander';
import { packageFile } from '../machinery/packagefiles.js';

export const KUBERNETES_VERSION = 'v1.32.4';

export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(packageFile('package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function versionLine(): string {
  return `k8ts ${packageVersion()} (Kubernetes ${KUBERNETES_VERSION} API)`;
}

export function registerVersionCommand(program: Command): void {
  program
    .command('version')
    .description('print the k8ts version and the Kubernetes API version it serves')
    .action(() => {
      process.stdout.write(`${versionLine()}\n`);
    });
}
