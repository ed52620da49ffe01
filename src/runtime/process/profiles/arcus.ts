// Image profiles of the ARCUS cache cluster images (jam2in/arcus-memcached, jam2in/zkcli). Both run
// programs of k8ts itself (src/images/arcus/) with the node binary that runs k8ts: the container sees
// the host's files through its overlay, so the layer only adds the image's commands as small wrappers.

import { packageFile } from '../../../machinery/packagefiles.js';
import type { ImageProfile } from '../images.js';

/** Single-quoted for sh. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Where the container sees the node binary and k8ts's image programs (bound from wherever k8ts is installed). */
const NODE = '/usr/lib/k8ts/node';
const PROGRAMS = '/usr/lib/k8ts/images';
const MOUNTS = [
  { hostPath: process.execPath, containerPath: NODE },
  { hostPath: packageFile('dist', 'images'), containerPath: PROGRAMS },
];

/** A layer script that execs the compiled program, so that it (not a shell) is the container's process. */
function nodeWrapper(program: string): { content: string; mode: number } {
  return { content: `#!/bin/sh\nexec ${shellQuote(NODE)} ${shellQuote(`${PROGRAMS}/arcus/${program}`)} "$@"\n`, mode: 0o755 };
}

/**
 * jam2in/arcus-memcached:<version>: `arcus-memcached [memcached options] [-z <zk ensemble>]`. Debian's
 * memcached serves on a private unix socket behind a proxy on -p (11211) that answers `version` with
 * VERSION <version>; with -z it registers /arcus/cache_list/<svc>/<ip>:<port>-<hostname>.
 */
export function arcusMemcachedProfile(version: string): ImageProfile {
  return {
    packages: ['memcached'],
    entrypoint: ['/usr/local/bin/arcus-memcached'],
    cmd: [],
    env: { ARCUS_MEMCACHED_VERSION: version },
    layer: { '/usr/local/bin/arcus-memcached': nodeWrapper('main-memcached.js') },
    mounts: MOUNTS,
  };
}

export const arcusMemcached = arcusMemcachedProfile('1.13.5');

/** jam2in/zkcli:python: `zkcli arcus.memcached add <zk ensemble> <host>:<port> <service_code>`. */
export const arcusZkcli: ImageProfile = {
  packages: [],
  entrypoint: ['/usr/local/bin/zkcli'],
  cmd: [],
  layer: { '/usr/local/bin/zkcli': nodeWrapper('main-zkcli.js') },
  mounts: MOUNTS,
};

/** Repository → profile, in the form of images.ts PROFILES. */
export const ARCUS_PROFILES: Record<string, ImageProfile> = {
  'docker.io/jam2in/arcus-memcached': arcusMemcached,
  'docker.io/jam2in/zkcli': arcusZkcli,
};
