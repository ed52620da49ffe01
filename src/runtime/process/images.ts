// Image profiles: what an image reference means on a process node. An image resolves to Debian
// packages installed on the machine (pulling = installing them), the image config (entrypoint, cmd,
// env, working dir) and the files the image would carry, written into each container's writable layer.

import { normalizeImage } from '../image.js';
import { ARCUS_PROFILES } from './profiles/arcus.js';
import { KUBERNETES_ZOOKEEPER_REPOSITORIES, kubernetesZookeeper } from './profiles/zookeeper.js';

/** A file in the image's layer: text content, a symlink target, or a directory's mode. */
export type LayerFile = { content: string; mode?: number } | { symlink: string } | { directory: true; mode: number };

export interface ImageProfile {
  /** Debian packages that provide the image's software. */
  packages: string[];
  entrypoint?: string[];
  cmd?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  /** Paths in the container (absolute) to files of the image layer. */
  layer?: Record<string, LayerFile>;
  /** Host files or directories the image's programs need, bound read-only (the host's /tmp, for one, is not visible inside). */
  mounts?: Array<{ hostPath: string; containerPath: string }>;
}

export interface ResolvedImage {
  /** `docker.io/library/nginx:1.25` */
  ref: string;
  profile: ImageProfile;
}

/** The PATH every image sets (Docker's default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Prefix of images that run one Debian package: `deb.k8ts.io/redis-server`. */
export const DEBIAN_PACKAGE_REGISTRY = 'deb.k8ts.io/';

const NGINX_CONF = `user www-data;
worker_processes 1;
pid /run/nginx.pid;
error_log /dev/stderr notice;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  sendfile on;
  keepalive_timeout 65;
  include /etc/nginx/conf.d/*.conf;
}
`;

const NGINX_DEFAULT_SITE = `server {
  listen 80;
  server_name localhost;
  location / {
    root /usr/share/nginx/html;
    index index.html index.htm;
  }
}
`;

const NGINX_INDEX = `<!DOCTYPE html>
<html>
<head><title>Welcome to nginx!</title></head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and working.</p>
</body>
</html>
`;

/** The official nginx image: nginx in the foreground serving /usr/share/nginx/html on :80, logs to stdout/stderr. */
const nginx: ImageProfile = {
  packages: ['nginx', 'curl'],
  cmd: ['nginx', '-g', 'daemon off;'],
  layer: {
    '/etc/nginx/nginx.conf': { content: NGINX_CONF },
    '/etc/nginx/conf.d/default.conf': { content: NGINX_DEFAULT_SITE },
    '/usr/share/nginx/html/index.html': { content: NGINX_INDEX },
  },
};

const BUSYBOX_APPLETS = ['nslookup', 'nc', 'wget', 'ping', 'telnet', 'traceroute', 'ifconfig', 'route', 'vi', 'watch', 'httpd'];

/** busybox: its applets on PATH ahead of the host's tools; the default command is `sh`. */
const busybox: ImageProfile = {
  packages: ['busybox'],
  cmd: ['sh'],
  layer: Object.fromEntries(BUSYBOX_APPLETS.map((a) => [`/usr/local/bin/${a}`, { symlink: '/usr/bin/busybox' }])),
};

/**
 * nslookup as busybox 1.28 (the tutorials' image) prints it: that build resolved through the C library,
 * so the search path and ndots of resolv.conf apply (`nslookup web-0.nginx` works); newer busybox
 * nslookup sends names with a dot as they are.
 */
const NSLOOKUP_1_28 = `#!/bin/sh
name=
for a in "$@"; do case "$a" in -*) ;; *) [ -z "$name" ] && name=$a || server=$a ;; esac; done
[ -n "$name" ] || { echo "BusyBox v1.28.4 multi-call binary." >&2; echo "Usage: nslookup [HOST] [SERVER]" >&2; exit 1; }
[ -n "$server" ] || server=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf)
sname=$(getent hosts "$server" | awk '{ print $2; exit }')
printf 'Server:    %s\nAddress 1: %s%s\n\n' "$server" "$server" "\${sname:+ $sname}"
addrs=$(getent ahostsv4 "$name" | awk '$2 == "STREAM" { print $1 }')
if [ -z "$addrs" ]; then echo "nslookup: can't resolve '$name'"; exit 1; fi
printf 'Name:      %s\n' "$name"
i=1
for a in $addrs; do
  n=$(getent hosts "$a" | awk '{ print $2; exit }')
  printf 'Address %d: %s%s\n' "$i" "$a" "\${n:+ $n}"
  i=$((i + 1))
done
`;

const busybox128: ImageProfile = {
  ...busybox,
  layer: { ...busybox.layer, '/usr/local/bin/nslookup': { content: NSLOOKUP_1_28, mode: 0o755 } },
};

/** A plain distribution image: the host's userland as it is. */
const debian: ImageProfile = { packages: [], cmd: ['bash'] };

/** Repository (registry and tag stripped as normalizeImage spells them) → profile. */
const PROFILES: Record<string, ImageProfile> = {
  'docker.io/library/nginx': nginx,
  'registry.k8s.io/nginx-slim': nginx,
  'k8s.gcr.io/nginx-slim': nginx,
  'gcr.io/google_containers/nginx-slim': nginx,
  'docker.io/library/busybox': busybox,
  'registry.k8s.io/busybox': busybox,
  'gcr.io/google-containers/busybox': busybox,
  'docker.io/library/debian': debian,
  'docker.io/library/ubuntu': debian,
  ...Object.fromEntries(KUBERNETES_ZOOKEEPER_REPOSITORIES.map((r) => [r, kubernetesZookeeper])),
  ...ARCUS_PROFILES,
};

/** Image tags whose content differs from the repository's other tags. */
const TAG_PROFILES: Record<string, ImageProfile> = {
  'docker.io/library/busybox:1.28': busybox128,
};

/** The images k8ts knows, for messages and docs. */
export function knownImages(): string[] {
  return Object.keys(PROFILES).map((r) => r.replace(/^docker\.io\/(library\/)?/, ''));
}

function repository(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at < 0 ? ref : ref.slice(0, at);
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** The profile of an image reference, or undefined when nothing on a Debian machine provides it. */
export function resolveImage(image: string): ResolvedImage | undefined {
  const ref = normalizeImage(image);
  const repo = repository(ref);
  const profile = TAG_PROFILES[ref] ?? PROFILES[repo];
  if (profile) return { ref, profile };
  if (repo.startsWith(DEBIAN_PACKAGE_REGISTRY)) {
    const pkg = repo.slice(DEBIAN_PACKAGE_REGISTRY.length);
    if (/^[a-z0-9][a-z0-9+.-]+$/.test(pkg)) return { ref, profile: { packages: [pkg] } };
  }
  return undefined;
}

/** The argv the container runs: command replaces the entrypoint, args replace the image's cmd. */
export function containerArgv(profile: ImageProfile, command: string[] | undefined, args: string[] | undefined): string[] {
  if (command?.length) return [...command, ...(args ?? [])];
  return [...(profile.entrypoint ?? []), ...(args ?? profile.cmd ?? [])];
}
