// "Pulling" an image on a process node: making sure the Debian packages of its profile are installed.
// apt runs one operation at a time on a machine, so installs are serialised here; a package list that
// is too old to know a package is refreshed once (apt-get update) before giving up.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { logger } from '../../machinery/log.js';
import { DEBIAN_PACKAGE_REGISTRY, knownImages, resolveImage, type ResolvedImage } from './images.js';

const run = promisify(execFile);
const log = logger('image-puller');

export class ImagePullError extends Error {}

export interface PullResult {
  image: ResolvedImage;
  /** Installed size of the image's packages. */
  sizeBytes: number;
}

export class ImagePuller {
  private queue: Promise<unknown> = Promise.resolve();
  private updated = false;

  /** Packages seen installed, with their size: asking dpkg costs more than a container start's budget. */
  private installed = new Map<string, number>();

  /** The installed size of every package, or undefined when one is missing; `recheck` asks dpkg again. */
  async present(image: string, recheck = false): Promise<PullResult | undefined> {
    const resolved = this.resolve(image);
    const { packages } = resolved.profile;
    const unknown = recheck ? packages : packages.filter((p) => !this.installed.has(p));
    if (unknown.length) {
      const sizes = await installedSizes(unknown);
      unknown.forEach((p, i) => (sizes[i] === undefined ? this.installed.delete(p) : this.installed.set(p, sizes[i]!)));
    }
    if (packages.some((p) => !this.installed.has(p))) return undefined;
    return { image: resolved, sizeBytes: packages.reduce((sum, p) => sum + this.installed.get(p)!, 0) };
  }

  /** Installs what is missing; rejects with an ImagePullError whose message says what provides the image. */
  pull(image: string): Promise<PullResult> {
    const next = this.queue.then(() => this.install(image));
    this.queue = next.catch(() => undefined);
    return next;
  }

  resolve(image: string): ResolvedImage {
    const resolved = resolveImage(image);
    if (!resolved) {
      throw new ImagePullError(
        `no image profile for "${image}" on this machine: k8ts runs images from Debian packages; known images: ${knownImages().join(', ')}; any Debian package runs as ${DEBIAN_PACKAGE_REGISTRY}<package> (see docs/images.md)`,
      );
    }
    return resolved;
  }

  private async install(image: string): Promise<PullResult> {
    const have = await this.present(image, true);
    if (have) return have;
    const missing = this.resolve(image).profile.packages;
    log.info('Installing Debian packages for an image', { image, packages: missing.join(' ') });
    try {
      await aptInstall(missing);
    } catch (e) {
      if (this.updated) throw pullFailed(image, missing, e);
      this.updated = true;
      await run('apt-get', ['update', '-qq'], { env: aptEnv() }).catch((u: Error) => log.warning('apt-get update failed', { err: u.message }));
      await aptInstall(missing).catch((e2: unknown) => {
        throw pullFailed(image, missing, e2);
      });
    }
    const done = await this.present(image, true);
    if (!done) throw new ImagePullError(`installing ${missing.join(' ')} for "${image}" left packages missing`);
    return done;
  }
}

function aptEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
}

async function aptInstall(packages: string[]): Promise<void> {
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env: aptEnv(), maxBuffer: 16 << 20 });
}

function pullFailed(image: string, packages: string[], e: unknown): ImagePullError {
  const stderr = String((e as { stderr?: string }).stderr ?? (e as Error).message ?? e);
  const line = stderr.split('\n').find((l) => l.startsWith('E:')) ?? stderr.trim().split('\n').pop() ?? '';
  return new ImagePullError(`image "${image}" needs the Debian package(s) ${packages.join(' ')}, which apt-get could not install: ${line.trim()}`);
}

/** dpkg's Installed-Size (KiB) per package as bytes; undefined for packages not installed. */
async function installedSizes(packages: string[]): Promise<Array<number | undefined>> {
  if (!packages.length) return [];
  const out = await run('dpkg-query', ['-W', '-f=${Package} ${Status} ${Installed-Size}\\n', ...packages]).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? '',
  );
  const sizes = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^(\S+) install ok installed (\d*)$/.exec(line.trim());
    if (m) sizes.set(m[1].split(':')[0], Number(m[2] || 0) * 1024);
  }
  return packages.map((p) => sizes.get(p));
}
