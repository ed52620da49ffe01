// Image references as containerd reports them: the fully qualified name and a digest reference.

import { createHash } from 'node:crypto';

/** `nginx` → `docker.io/library/nginx:latest`; names with a registry or digest keep them. */
export function normalizeImage(image: string): string {
  let name = image;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0) name = `docker.io/library/${name}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${name}`;
  if (name.includes('@')) return name;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? name : `${name}:latest`;
}

/** `docker.io/library/nginx@sha256:<digest>`; the sim derives a stable digest from the name. */
export function imageDigestRef(normalized: string): string {
  if (normalized.includes('@')) return normalized;
  const repo = normalized.slice(0, normalized.lastIndexOf(':'));
  return `${repo}@sha256:${createHash('sha256').update(normalized).digest('hex')}`;
}
